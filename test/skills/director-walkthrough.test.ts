/**
 * Follows skills/cafleet/roles/director.md as a new user would: every command of its code blocks,
 * in order, placeholders filled in, run by the compiled binary from the Director's pane of a
 * private tmux server whose members are a fake `claude`. If the skill drifts from the binary
 * (a renamed flag, a lost step, output it no longer prints), this test fails.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { extractCommands, shellWords } from "../docs/extract.ts";
import {
  BINARY,
  type CliResult,
  installSkills,
  isolatedEnv,
  makeTempDir,
  ROOT,
  runCafleet,
} from "../support/cli.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";

const SKILL = "skills/cafleet/roles/director.md";
const FAKE_CLAUDE_DIR = join(import.meta.dir, "fixtures/bin");

const temp = makeTempDir("cafleet-walk-");
const bin = join(temp.dir, "bin");
mkdirSync(bin);
symlinkSync(BINARY, join(bin, "cafleet"));
const PATH = `${FAKE_CLAUDE_DIR}:${bin}:${process.env.PATH}`;
const tmux = new PrivateTmux("walk");
const directorPane = tmux.start("main", {}, { env: { PATH, LANG: "C.UTF-8" } });
const env = isolatedEnv(temp.dir, { ...tmux.envFor(directorPane), PATH });
// The Director has the skills installed (it is following one); its members are told to load them.
installSkills(temp.dir);

afterAll(() => {
  tmux.kill();
  // kill-server leaves the socket file behind; this server's socket is this test's to remove.
  rmSync(env.TMUX!.split(",")[0]!, { force: true });
  temp.cleanup();
}, 60_000);

const commands = extractCommands(SKILL, readFileSync(join(ROOT, SKILL), "utf8")).filter(
  (command) => command.where === "block",
);

function commandPath(text: string): string {
  const words = shellWords(text.replace(/<[^<>\n]*>/g, "x"))
    .slice(1)
    .filter((word) => word !== "--json");
  const start = words[0] === "--session-id" ? 2 : 0;
  return ["session", "member"].includes(words[start]!)
    ? words.slice(start, start + 2).join(" ")
    : words[start]!;
}

/** The pane's text with wrapped lines joined (-J), so long prompt lines can be matched whole. */
function screen(pane: string): string {
  return tmux.tmux(["capture-pane", "-p", "-J", "-t", pane]);
}

async function paneShows(pane: string, text: string): Promise<boolean> {
  return waitFor(() => screen(pane).includes(text), 5000);
}

test("director.md shows the Director's steps in order", () => {
  expect(commands.map((command) => commandPath(command.text))).toEqual([
    "session create",
    "member create",
    "member create",
    "member list",
    "member respawn",
    "send",
    "ack",
    "get-task",
    "member capture",
    "member send-input",
    "member send-input",
    "member delete",
    "member list",
    "session delete",
    "session list",
  ]);
});

test("every command of director.md works, in order, as written", async () => {
  const values: Record<string, string> = {
    "short-label": "walk",
    "member-name": "Coder",
    "role-in-one-line": "Writes code",
    "concrete-task-with-done-criteria": "Add a --verbose flag to build.sh and report the output tail.",
    "the-users-answer-on-one-line": "Use SQLite with WAL; see docs/db.md",
  };
  const run = (index: number): CliResult => {
    const text = commands[index]!.text.replace(/<([^<>\n]+)>/g, (_whole, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`the walk-through has no value for <${name}>`);
      return value;
    });
    const result = runCafleet(shellWords(text).slice(1), env);
    expect([text, result.stderr, result.exitCode]).toEqual([text, "", 0]);
    return result;
  };
  const field = (result: CliResult, name: string) =>
    new RegExp(`^\\s*${name}:\\s+(\\S+)`, "m").exec(result.stdout)?.[1] ?? "";

  // 1. Create the session: line 1 the session id, line 2 the Director's id.
  const created = run(0).stdout.split("\n");
  expect(created).toHaveLength(8);
  values["session-id"] = created[0]!;
  values["director-agent-id"] = created[1]!;

  // 3. Spawn a member with the default prompt and one with the custom prompt.
  const coder = run(1);
  expect(coder.stdout.startsWith("Member registered and spawned.\n")).toBe(true);
  const reviewer = run(2);
  values["member-agent-id"] = field(coder, "agent_id");
  const reviewerId = field(reviewer, "agent_id");
  const reviewerPane = field(reviewer, "pane_id");
  expect(
    await paneShows(
      reviewerPane,
      `Your session_id is ${values["session-id"]} and your agent_id is ${reviewerId}.`,
    ),
  ).toBe(true);
  expect(screen(reviewerPane)).toContain(
    'Use the JSON shape {"risk": "...", "fix": "..."} for each finding.',
  );
  expect(run(3).stdout).toStartWith("2 members:\n");

  // A member whose pane died comes back with the same id in a new pane.
  const firstPane = field(coder, "pane_id");
  tmux.tmux(["kill-pane", "-t", firstPane]);
  const respawned = run(4);
  expect(respawned.stdout).toStartWith(`Member respawned.\n  agent_id:  ${values["member-agent-id"]}\n`);
  const coderPane = field(respawned, "pane_id");
  expect(coderPane).not.toBe(firstPane);

  // 4. Give work: the broker wakes the member, whose fake agent runs the poll --new it was typed.
  run(5);
  expect(await paneShows(coderPane, "\nAdd a --verbose flag")).toBe(true);
  // The member reports back (member.md); then the Director acks the report.
  const report = runCafleet(
    [
      "--json",
      "--session-id",
      values["session-id"]!,
      "send",
      "--agent-id",
      values["member-agent-id"]!,
      "--to",
      values["director-agent-id"]!,
      "--text",
      "Done: BUILD OK.",
    ],
    { ...env, TMUX_PANE: coderPane },
  );
  values["task-id"] = JSON.parse(report.stdout).task.id;
  expect(run(6).stdout).toStartWith("Message acknowledged.\n");
  expect(JSON.parse(run(7).stdout).delivery.acked_at).not.toBeNull();

  // 5. Answer the member's question: capture, (ask the user), send-input.
  tmux.tmux(["send-keys", "-t", coderPane, "-l", "please ASK"]);
  tmux.tmux(["send-keys", "-t", coderPane, "Enter"]);
  expect(await paneShows(coderPane, "4. Type something.")).toBe(true);
  expect(run(8).stdout).toContain("Which database should I use?");
  expect(run(9).stdout).toBe(`Sent choice 2 to member Coder (${coderPane}).\n`);
  expect(await paneShows(coderPane, "answer (choice): 2")).toBe(true);
  tmux.tmux(["send-keys", "-t", coderPane, "-l", "ASK again"]);
  tmux.tmux(["send-keys", "-t", coderPane, "Enter"]);
  expect(await paneShows(coderPane, "4. Type something.")).toBe(true);
  expect(run(10).stdout).toBe(`Sent free text to member Coder (${coderPane}).\n`);
  expect(await paneShows(coderPane, "answer (free text): Use SQLite with WAL; see docs/db.md")).toBe(true);

  // 6. Tear down: delete each member, check none is left, delete the session, check the list.
  expect(run(11).stdout).toContain(`pane_id:   ${coderPane} (closed)`);
  values["member-agent-id"] = reviewerId;
  expect(run(11).stdout).toContain(`pane_id:   ${reviewerPane} (closed)`);
  expect(run(12).stdout).toBe("0 members.\n");
  expect(run(13).stdout).toBe(`Deleted session ${values["session-id"]}. Deregistered 2 agents.\n`);
  expect(run(14).stdout).not.toContain(values["session-id"]!);
  expect(tmux.paneIds()).toEqual([directorPane]);
}, 30_000);
