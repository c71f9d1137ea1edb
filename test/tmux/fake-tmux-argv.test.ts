import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { PANE_VIEW_FORMAT } from "../../src/tmux/pane.ts";
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

/** Each look at the pane: its command and title, then its screen, in one tmux call. */
const look = ["display-message", "-p", "-t", "%7", PANE_VIEW_FORMAT, ";", "capture-pane", "-p", "-t", "%7"];

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
    const line = (id: string) => pushPollLine(sessionId, id);
    // Each push reads the pane (its command and screen, one call), types, reads it again, then Enters.
    expect(calls()).toEqual([
      look,
      ["send-keys", "-t", "%7", "-l", line(first)],
      look,
      ["send-keys", "-t", "%7", "Enter"],
      look,
      ["send-keys", "-t", "%7", "-l", line(second)],
      look,
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
    // The REPL is confirmed up before the layout: the fake pane runs a shell, which counts as
    // started once two looks in a row see it.
    const look = [
      "display-message",
      "-p",
      "-t",
      "%7",
      PANE_VIEW_FORMAT,
      ";",
      "capture-pane",
      "-p",
      "-t",
      "%7",
    ];
    expect(recorded.slice(2)).toEqual([look, look, ["select-layout", "-t", "@3", "main-vertical"]]);
  });

  it("member send-input --freetext presses the Type something row's number, the literal text, then Enter; member delete types /exit, then Enter, then checks the pane", () => {
    const id = createMember("Answer");
    resetLog();
    const member = ["--session-id", sessionId, "member"];
    const ids = ["--agent-id", directorId, "--member-id", id];
    const question = join(temp.dir, "question.txt");
    writeFileSync(
      question,
      "Which one?\n❯ 1. SQLite\n  2. Postgres\n  3. Type something.\n  4. Chat about this\n",
    );
    const answered = runCafleet([...member, "send-input", ...ids, "--freetext", "Enter $(id)"], {
      ...env,
      FAKE_TMUX_SCREEN: question,
    });
    expect(answered.exitCode).toBe(0);
    expect(run([...member, "delete", ...ids]).exitCode).toBe(0);
    expect(calls()).toEqual([
      look,
      ["send-keys", "-t", "%7", "3"],
      ["send-keys", "-t", "%7", "-l", "Enter $(id)"],
      ["send-keys", "-t", "%7", "Enter"],
      look,
      ["send-keys", "-t", "%7", "-l", "/exit"],
      ["send-keys", "-t", "%7", "Enter"],
      ["list-panes", "-a", "-F", "#{pane_id}"],
      ["select-layout", "-t", "@3", "main-vertical"],
    ]);
  });
});
