import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DetectedRepl, replOfArgv } from "./ancestry.ts";

describe("replOfArgv", () => {
  it.each([
    [["/home/u/.local/share/claude/versions/2.1.328"], "claude"],
    [["/usr/local/bin/claude", "--name", "x"], "claude"],
    [["claude"], "claude"],
    [["node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"], "claude"],
    [["/usr/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex"], "codex"],
    [["node", "/usr/lib/node_modules/@openai/codex/bin/codex.js"], "codex"],
    [["bash", "/opt/tools/claude", "--name", "x"], "claude"],
    [["bash", "-c", "claude"], "unknown"],
    [["vim", "claude"], "unknown"],
  ])("%p is %p", (argv, repl) => {
    expect(replOfArgv(argv)).toBe(repl as DetectedRepl);
  });
});

describe("detectAncestorRepl", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cafleet-ancestry-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a REPL named claude among the caller's ancestors, through a shell in between", () => {
    // claude (a script here) → bash -c → bun running detect: what a Bash tool call looks like.
    const probe = join(dir, "probe.ts");
    writeFileSync(
      probe,
      `import { detectAncestorRepl } from ${JSON.stringify(join(import.meta.dir, "ancestry.ts"))};\nconsole.log(detectAncestorRepl());\n`,
    );
    const claude = join(dir, "claude");
    writeFileSync(claude, `#!/usr/bin/env bash\nbash -c '${process.execPath} ${probe}; true'\n`);
    chmodSync(claude, 0o755);
    const found = Bun.spawnSync([claude], { stdout: "pipe", stderr: "pipe" });
    expect(found.stdout.toString()).toBe("claude\n");
    const plain = Bun.spawnSync(["bash", "-c", `${process.execPath} ${probe}; true`], { stdout: "pipe" });
    expect(plain.stdout.toString()).toBe("unknown\n");
  });
});
