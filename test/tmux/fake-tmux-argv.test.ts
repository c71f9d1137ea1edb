import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Env, isolatedEnv, makeTempDir, ROOT, runCafleet } from "../support/cli.ts";
import { FAKE_AGENTS } from "./harness.ts";

/**
 * The argv lists of tmux.md are normative: a black-box test may put a recording `tmux` first on
 * PATH. This file runs the binary against one (it answers `main|@3|%0` and `%7`, nothing else),
 * so every member shares pane %7, and checks the recorded calls in order.
 */
const FAKE_TMUX = join(ROOT, "test/fixtures/fake-tmux");

let temp: { dir: string; cleanup: () => void };
let env: Env;
let log: string;
let sessionId: string;
let directorId: string;

function run(args: string[]) {
  return runCafleet(args, env);
}

function calls(): string[][] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as string[]);
}

function resetLog(): void {
  writeFileSync(log, "");
}

function createMember(name: string): string {
  const created = run([
    "--session-id",
    sessionId,
    "--json",
    "member",
    "create",
    "--agent-id",
    directorId,
    "--name",
    name,
    "--description",
    "d",
  ]);
  expect(created.exitCode).toBe(0);
  return JSON.parse(created.stdout).agent_id;
}

beforeAll(() => {
  temp = makeTempDir("cafleet-fake-tmux-");
  log = join(temp.dir, "tmux.log");
  env = isolatedEnv(temp.dir, {
    PATH: `${FAKE_TMUX}:${FAKE_AGENTS}:${dirname(process.execPath)}:${process.env.PATH}`,
    FAKE_TMUX_LOG: log,
    TMUX: "/tmp/fake-tmux-socket,1,0",
    TMUX_PANE: "%0",
    CAFLEET_TEST_NUDGE_BACKOFF_MS: "none",
  });
  resetLog();
  const session = run(["--json", "session", "create"]);
  expect(session.exitCode).toBe(0);
  sessionId = JSON.parse(session.stdout).session_id;
  directorId = JSON.parse(session.stdout).director.agent_id;
});
afterAll(() => temp.cleanup());

describe("recorded tmux argv", () => {
  it("broadcast pushes recipients one after another: each poll line is followed by its own Enter", () => {
    const first = createMember("First");
    const second = createMember("Second");
    resetLog();
    const result = run([
      "--session-id",
      sessionId,
      "--json",
      "broadcast",
      "--agent-id",
      directorId,
      "--text",
      "all",
    ]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)[0].notifications_sent_count).toBe(2);
    const keys = calls().filter((argv) => argv[0] === "send-keys");
    const line = (id: string) => `cafleet --session-id ${sessionId} poll --agent-id ${id}`;
    expect(keys).toEqual([
      ["send-keys", "-t", "%7", "-l", line(first)],
      ["send-keys", "-t", "%7", "Enter"],
      ["send-keys", "-t", "%7", "-l", line(second)],
      ["send-keys", "-t", "%7", "Enter"],
    ]);
  });
});
