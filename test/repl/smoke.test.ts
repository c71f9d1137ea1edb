import { afterEach, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ModelServer, shell, text } from "../support/model-server.ts";
import { ReplPane } from "../support/repl-pane.ts";
import { claudeLaunch, codexLaunch, ensureRepls, REPLS_DIR, type ReplOptions } from "../support/repls.ts";

// A cold install takes ~20 s; each REPL then needs a few seconds to start and two model turns.
setDefaultTimeout(90_000);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A model server, a HOME (outside /tmp: Codex refuses to put its helpers under /tmp) and a project. */
function setup(): { server: ModelServer; options: ReplOptions } {
  ensureRepls();
  const server = new ModelServer().start();
  mkdirSync(join(REPLS_DIR, "homes"), { recursive: true });
  const home = mkdtempSync(join(REPLS_DIR, "homes", "smoke-"));
  const cwd = mkdtempSync("/tmp/cafleet-repl-smoke-");
  cleanups.push(() => {
    server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });
  return { server, options: { home, cwd, modelUrl: server.url, allow: ["Bash(echo:*)"] } };
}

function start(launch: ReturnType<typeof claudeLaunch>, cwd: string): ReplPane {
  const pane = ReplPane.start(launch, cwd);
  cleanups.push(() => pane.kill());
  return pane;
}

const cases = [
  { name: "Claude Code", launch: claudeLaunch },
  { name: "Codex CLI", launch: codexLaunch },
];

describe("real REPLs against the scripted model server", () => {
  for (const { name, launch } of cases) {
    it(`${name} sends the typed line as a turn and runs the model's echo hello`, async () => {
      const { server, options } = setup();
      server.script(shell("echo hello"), text("all done"));
      const pane = start(launch(options), options.cwd);
      await pane.waitForScreen(/\? for shortcuts/, 30_000);

      const line = "please run echo hello";
      // Codex reads text followed too closely by Enter as a paste and drops the Enter.
      await pane.submit(line, 400);

      const first = await server.waitForTurn((turn) => turn.toolResult === undefined, 30_000);
      expect(first.userText).toBe(line);
      const answered = await server.waitForTurn((turn) => turn.toolResult !== undefined, 30_000);
      expect(answered.toolResult).toContain("hello");
      await pane.waitForScreen(/all done/, 30_000);
    });
  }
});
