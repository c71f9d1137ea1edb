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

  it("member create splits the caller's window with the agent argv, then lays it out", () => {
    resetLog();
    const id = createMember("Layout");
    const prompt = `Load Skill(cafleet). Your session_id is ${sessionId} and your agent_id is ${id}.`;
    const recorded = calls();
    expect(recorded[0]).toEqual([
      "display-message",
      "-p",
      "-t",
      "%0",
      "#{session_name}|#{window_id}|#{pane_id}",
    ]);
    expect(recorded[1]?.slice(0, 11)).toEqual([
      "split-window",
      "-t",
      "@3",
      "-P",
      "-F",
      "#{pane_id}",
      "-e",
      `CAFLEET_DATABASE_URL=${env.CAFLEET_DATABASE_URL}`,
      "claude",
      "--name",
      "Layout",
    ]);
    expect(recorded[1]?.[11]?.startsWith(prompt)).toBe(true);
    expect(recorded.slice(2)).toEqual([["select-layout", "-t", "@3", "main-vertical"]]);
  });

  it("member send-input --freetext types 4, the literal text, then Enter; member delete sends /exit then checks the pane", () => {
    const id = createMember("Answer");
    resetLog();
    const member = ["--session-id", sessionId, "member"];
    const ids = ["--agent-id", directorId, "--member-id", id];
    expect(run([...member, "send-input", ...ids, "--freetext", "Enter $(id)"]).exitCode).toBe(0);
    expect(run([...member, "delete", ...ids]).exitCode).toBe(0);
    expect(calls()).toEqual([
      ["send-keys", "-t", "%7", "4"],
      ["send-keys", "-t", "%7", "-l", "Enter $(id)"],
      ["send-keys", "-t", "%7", "Enter"],
      ["send-keys", "-t", "%7", "/exit", "Enter"],
      ["list-panes", "-a", "-F", "#{pane_id}"],
      ["select-layout", "-t", "@3", "main-vertical"],
    ]);
  });
});
