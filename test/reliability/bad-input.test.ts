import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CommandDef, isValue, longFlag } from "../../src/cli/options.ts";
import type { Database } from "../../src/store/database.ts";
import { BINARY, type CliResult, installSkills, runCafleet } from "../support/cli.ts";
import { COMMAND_LIST } from "../support/commands.ts";
import { waitFor } from "../support/tmux.ts";
import { FAKE_AGENTS } from "../tmux/harness.ts";
import {
  crashProblems,
  failureProblems,
  integrityProblems,
  runWithRawBytes,
  Sandbox,
  type SessionIds,
  snapshot,
} from "./support.ts";

/**
 * Every CLI flag given bad values, and ids from the wrong place. A failure must be one
 * `Error: ...` line with exit 1 or 2 and no write; a success must store the value verbatim.
 *
 * Limits of argv itself, checked below rather than assumed: Linux refuses one argv string of
 * 128 KiB or more (MAX_ARG_STRLEN, E2BIG), so 10 MB can never reach the binary and the largest
 * value tried is 128 KiB - 1 bytes; a NUL byte cannot travel in argv at all (C strings), and
 * Bun.spawn refuses it before exec; invalid UTF-8 reaches the binary and is decoded as U+FFFD,
 * so the database only ever holds valid UTF-8.
 */

const MAX_ARG_BYTES = 128 * 1024 - 1;

let sandbox: Sandbox;
let main: SessionIds;
let other: SessionIds;
let gone: SessionIds;
let alice: string;
let bob: string;
let carol: string;
let retired: string;
let goneAgent: string;
let taskId: string;
let memberId: string;
let memberPane: string;
let db: Database;
let casesTried = 0;

beforeAll(() => {
  // The fake claude/codex of the member tests stand in for real coding agents.
  sandbox = new Sandbox("badinput", undefined, {
    PATH: `${FAKE_AGENTS}:${process.env.PATH}`,
    CAFLEET_FAKE_AGENT_DIR: "",
  });
  // Its claude members are told to load the cafleet skill; without it member create warns.
  installSkills(sandbox.dir);
  main = sandbox.createSession("main");
  other = sandbox.createSession("other");
  gone = sandbox.createSession("gone");
  alice = sandbox.register(main.sessionId, "alice");
  bob = sandbox.register(main.sessionId, "bob");
  retired = sandbox.register(main.sessionId, "retired");
  carol = sandbox.register(other.sessionId, "carol");
  goneAgent = sandbox.register(gone.sessionId, "ghost");
  expect(sandbox.run(["--session-id", main.sessionId, "deregister", "--agent-id", retired]).exitCode).toBe(0);
  expect(sandbox.run(["session", "delete", gone.sessionId]).exitCode).toBe(0);
  const sent = sandbox.run([
    "--session-id",
    main.sessionId,
    "--json",
    "send",
    "--agent-id",
    alice,
    "--to",
    bob,
    "--text",
    "hi",
  ]);
  taskId = (JSON.parse(sent.stdout) as { task: { id: string } }).task.id;
  const member = sandbox.run([
    "--session-id",
    main.sessionId,
    "--json",
    "member",
    "create",
    "--agent-id",
    main.directorId,
    "--name",
    "m",
    "--description",
    "d",
  ]);
  expect(member.stderr).toBe("");
  const created = JSON.parse(member.stdout) as { agent_id: string; placement: { tmux_pane_id: string } };
  memberId = created.agent_id;
  memberPane = created.placement.tmux_pane_id;
  db = sandbox.open();
}, 60_000);

afterAll(() => {
  db.close();
  console.log(`bad input: ${casesTried} CLI cases tried`);
  sandbox.dispose();
}, 60_000);

type Value = { label: string; text?: string; raw?: Uint8Array };

function values(dir: string): Value[] {
  return [
    { label: "empty", text: "" },
    { label: `huge (${MAX_ARG_BYTES} bytes)`, text: "x".repeat(MAX_ARG_BYTES) },
    { label: "huge multibyte", text: "日".repeat(Math.floor(MAX_ARG_BYTES / 3)) },
    { label: "malformed", text: "{{not-an-id}}" },
    { label: "wrong type", text: "12abc" },
    { label: "negative", text: "-1" },
    { label: "invalid UTF-8", raw: new Uint8Array([0xff, 0xfe, 0x61, 0xc3, 0x28, 0xed, 0xa0, 0x80]) },
    { label: "newlines", text: "line1\nline2\r\n" },
    {
      label: "shell metacharacters",
      text: `$(touch ${dir}/pwned1); \`touch ${dir}/pwned2\` | tee ${dir}/pwned3 && rm -rf ~ ; ' " \\ * ? > ${dir}/pwned4 %s %n`,
    },
    { label: "control characters", text: "\u001b[31mred\u0007\u0008" },
  ];
}

/** Valid argv for each command that touches only the database; `@` marks where a value goes. */
function baseArgv(): Map<string, string[]> {
  const session = ["--session-id", main.sessionId];
  return new Map([
    ["session create", ["session", "create", "--label", "ok"]],
    ["session show", ["session", "show", main.sessionId]],
    ["session delete", ["session", "delete", "@"]],
    ["skills install", ["skills", "install", "--dir", join(sandbox.dir, "skills")]],
    ["register", [...session, "register", "--name", "n", "--description", "d", "--skills", "[]"]],
    ["send", [...session, "send", "--agent-id", alice, "--to", bob, "--text", "t"]],
    ["broadcast", [...session, "broadcast", "--agent-id", alice, "--text", "t"]],
    [
      "poll",
      [
        ...session,
        "poll",
        "--agent-id",
        bob,
        "--since",
        "2000-01-01T00:00:00",
        "--page-size",
        "5",
        "--wait",
        "0",
      ],
    ],
    ["ack", [...session, "ack", "--agent-id", bob, "--task-id", "@"]],
    ["cancel", [...session, "cancel", "--agent-id", alice, "--task-id", "@"]],
    ["get-task", [...session, "get-task", "--agent-id", bob, "--task-id", taskId]],
    ["agents", [...session, "agents", "--agent-id", alice, "--id", bob]],
    ["deregister", [...session, "deregister", "--agent-id", "@"]],
    ["member list", [...session, "member", "list", "--agent-id", main.directorId]],
    [
      "member capture",
      [
        ...session,
        "member",
        "capture",
        "--agent-id",
        main.directorId,
        "--member-id",
        memberId,
        "--lines",
        "5",
      ],
    ],
    [
      "member send-input",
      [
        ...session,
        "member",
        "send-input",
        "--agent-id",
        main.directorId,
        "--member-id",
        memberId,
        "--freetext",
        "ok",
      ],
    ],
    ["member delete", [...session, "member", "delete", "--agent-id", main.directorId, "--member-id", "@"]],
  ]);
}

/**
 * send-input's free text answers a question's "Type something" row, so the member's fake agent
 * shows a fresh two-option question (`/ask 2`) before each case.
 */
async function showQuestion(): Promise<void> {
  sandbox.tmux.tmux(["send-keys", "-t", memberPane, "-l", "/ask 2"]);
  sandbox.tmux.tmux(["send-keys", "-t", memberPane, "Enter"]);
  const asked = () => /Chat about this\n>$/.test(sandbox.tmux.capture(memberPane).trimEnd());
  expect(await waitFor(asked, 5000)).toBe(true);
}

/** Where each bad value goes: every valued option of the command, its positional, and --session-id. */
function slots(command: CommandDef, argv: string[]): number[] {
  const indexes: number[] = [];
  argv.forEach((token, index) => {
    const previous = argv[index - 1];
    if (token === "@") indexes.push(index);
    else if (previous && Object.values(command.options).some((o) => isValue(o) && longFlag(o) === previous))
      indexes.push(index);
    else if (previous === "--session-id") indexes.push(index);
    else if (
      command.args &&
      index === argv.length - 1 &&
      !token.startsWith("-") &&
      !previous?.startsWith("-")
    )
      indexes.push(index);
  });
  return indexes;
}

function run(argv: string[], value: Value, at: number): CliResult {
  casesTried++;
  const args = [...argv];
  if (value.raw) {
    args[at] = "@RAW0@";
    return runWithRawBytes(args, [value.raw], sandbox.env, sandbox.dir);
  }
  args[at] = value.text!;
  return runCafleet(args, sandbox.env, { cwd: sandbox.dir });
}

describe("every flag of every database command, given bad values", () => {
  const commands = COMMAND_LIST.map(({ words, def }): [string, CommandDef] => [words.join(" "), def]);

  it("fails with one clear line and writes nothing, or succeeds; never a crash", async () => {
    const skipped: string[] = [];
    const outcomes: string[] = [];
    const problems: string[] = [];
    for (const [path, command] of commands) {
      const argv = baseArgv().get(path);
      if (!argv) {
        skipped.push(path);
        continue;
      }
      for (const at of slots(command, argv)) {
        const flag = argv[at - 1]?.startsWith("--") ? argv[at - 1] : "<positional>";
        for (const value of values(sandbox.dir)) {
          if (path === "member send-input") await showQuestion();
          const before = snapshot(db);
          const result = run(argv, value, at);
          const where = `${path} ${flag} ${value.label}`;
          if (result.exitCode === 0) {
            problems.push(...crashProblems(result).map((problem) => `${where}: ${problem}`));
            outcomes.push(`${where}: ok`);
            continue;
          }
          problems.push(...failureProblems(result).map((problem) => `${where}: ${problem}`));
          if (snapshot(db) !== before) problems.push(`${where}: failed but wrote to the database`);
          outcomes.push(`${where}: exit ${result.exitCode}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(readdirSync(sandbox.dir).filter((name) => name.startsWith("pwned"))).toEqual([]);
    expect(existsSync(sandbox.dir)).toBe(true);
    expect(integrityProblems(db)).toEqual([]);
    console.log(
      `bad input: not in the flag table (no valued option, or tested on their own below and in http.test.ts): ${skipped.join(", ")}`,
    );
    // Still healthy: a plain poll works after all of that.
    expect(
      sandbox.run(["--session-id", main.sessionId, "poll", "--agent-id", bob, "--page-size", "1"]).exitCode,
    ).toBe(0);
    expect(outcomes.length).toBeGreaterThan(100);
    // With no question on screen, every send-input --freetext above refused before pressing a
    // key; with one, the metacharacters are typed into its free-text row literally, and nothing runs them.
    const literal = values(sandbox.dir).at(-2)!.text!;
    await showQuestion();
    const answered = sandbox.run([
      "--session-id",
      main.sessionId,
      "member",
      "send-input",
      "--agent-id",
      main.directorId,
      "--member-id",
      memberId,
      "--freetext",
      literal,
    ]);
    expect(answered.exitCode).toBe(0);
    const input = () =>
      existsSync(join(sandbox.dir, `${memberPane}.input`))
        ? readFileSync(join(sandbox.dir, `${memberPane}.input`), "utf8")
        : "";
    expect(await waitFor(() => input().includes(literal), 5000)).toBe(true);
    expect(input()).toContain(`3${literal}`);
    expect(readdirSync(sandbox.dir).filter((name) => name.startsWith("pwned"))).toEqual([]);
  }, 180_000);
});

describe("argv limits", () => {
  it("refuses a 10 MB argument before exec (E2BIG): the OS caps one argv string below 128 KiB", () => {
    expect(() => Bun.spawnSync([BINARY, "--version", "x".repeat(10 * 1024 * 1024)])).toThrow(/E2BIG/);
    expect(() => Bun.spawnSync([BINARY, "--version", "x".repeat(MAX_ARG_BYTES + 1)])).toThrow(/E2BIG/);
    expect(Bun.spawnSync([BINARY, "--version", "x".repeat(MAX_ARG_BYTES)]).exitCode).toBe(0);
  });

  it("cannot pass a NUL byte in argv at all", () => {
    expect(() => Bun.spawnSync([BINARY, "--session-id", "a\0b", "poll"])).toThrow(/null bytes/);
  });
});

function getTaskText(id: string): string {
  const result = sandbox.run([
    "--session-id",
    main.sessionId,
    "--json",
    "get-task",
    "--agent-id",
    bob,
    "--task-id",
    id,
  ]);
  expect(result.exitCode).toBe(0);
  return (JSON.parse(result.stdout) as { task: { artifacts: { parts: { text: string }[] }[] } }).task
    .artifacts[0]!.parts[0]!.text;
}

describe("message text is stored and returned verbatim", () => {
  for (const value of values("/nonexistent")) {
    it(`--text ${value.label}`, () => {
      const argv = [
        "--session-id",
        main.sessionId,
        "--json",
        "send",
        "--agent-id",
        alice,
        "--to",
        bob,
        "--text",
        "@",
      ];
      const result = run(argv, value, argv.length - 1);
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      const id = (JSON.parse(result.stdout) as { task: { id: string } }).task.id;
      const expected = value.text ?? new TextDecoder().decode(value.raw);
      expect(getTaskText(id)).toBe(expected);
      const stored = db
        .query(
          "SELECT json_extract(task_json, '$.artifacts[0].parts[0].text') AS text FROM tasks WHERE task_id = ?",
        )
        .get(id);
      expect(stored).toEqual({ text: expected });
    });
  }
});

describe("ids from the wrong place", () => {
  type Case = { name: string; argv: () => string[]; stderr: () => string; exitCode: number };
  const cases: Case[] = [
    {
      name: "send to an agent of another session",
      argv: () => ["--session-id", main.sessionId, "send", "--agent-id", alice, "--to", carol, "--text", "x"],
      stderr: () => `Error: Destination agent not in session: ${carol}\n`,
      exitCode: 1,
    },
    {
      name: "send from an agent of another session",
      argv: () => ["--session-id", main.sessionId, "send", "--agent-id", carol, "--to", bob, "--text", "x"],
      stderr: () => `Error: Sender agent not found or not active in session: ${carol}\n`,
      exitCode: 1,
    },
    {
      name: "send from a deregistered agent",
      argv: () => ["--session-id", main.sessionId, "send", "--agent-id", retired, "--to", bob, "--text", "x"],
      stderr: () => `Error: Sender agent not found or not active in session: ${retired}\n`,
      exitCode: 1,
    },
    {
      name: "send to a deregistered agent",
      argv: () => [
        "--session-id",
        main.sessionId,
        "send",
        "--agent-id",
        alice,
        "--to",
        retired,
        "--text",
        "x",
      ],
      stderr: () => `Error: Destination agent not found: ${retired}\n`,
      exitCode: 1,
    },
    {
      name: "broadcast from a deregistered agent",
      argv: () => ["--session-id", main.sessionId, "broadcast", "--agent-id", retired, "--text", "x"],
      stderr: () => `Error: Sender agent not found or not active in session: ${retired}\n`,
      exitCode: 1,
    },
    {
      name: "poll as an agent of another session",
      argv: () => ["--session-id", main.sessionId, "poll", "--agent-id", carol],
      stderr: () => `Error: Agent ${carol} not found in session ${main.sessionId}\n`,
      exitCode: 1,
    },
    {
      name: "ack a task of another session",
      argv: () => ["--session-id", other.sessionId, "ack", "--agent-id", carol, "--task-id", taskId],
      stderr: () => `Error: Task ${taskId} not found\n`,
      exitCode: 1,
    },
    {
      name: "cancel a task of another session",
      argv: () => ["--session-id", other.sessionId, "cancel", "--agent-id", carol, "--task-id", taskId],
      stderr: () => `Error: Task ${taskId} not found\n`,
      exitCode: 1,
    },
    {
      name: "get-task of another session",
      argv: () => ["--session-id", other.sessionId, "get-task", "--agent-id", carol, "--task-id", taskId],
      stderr: () => `Error: Task ${taskId} not found\n`,
      exitCode: 1,
    },
    {
      name: "agents --id of another session",
      argv: () => ["--session-id", main.sessionId, "agents", "--agent-id", alice, "--id", carol],
      stderr: () => `Error: Agent ${carol} not found\n`,
      exitCode: 1,
    },
    {
      name: "deregister a deregistered agent",
      argv: () => ["--session-id", main.sessionId, "deregister", "--agent-id", retired],
      stderr: () => `Error: agent ${retired} not found or already deregistered.\n`,
      exitCode: 1,
    },
    {
      name: "deregister an agent of another session",
      argv: () => ["--session-id", main.sessionId, "deregister", "--agent-id", carol],
      stderr: () => `Error: Agent ${carol} not found in session ${main.sessionId}\n`,
      exitCode: 1,
    },
    {
      name: "register into a deleted session",
      argv: () => ["--session-id", gone.sessionId, "register", "--name", "n", "--description", "d"],
      stderr: () => `Error: session ${gone.sessionId} is deleted\n`,
      exitCode: 2,
    },
    {
      name: "register into a missing session",
      argv: () => ["--session-id", "no-such-session", "register", "--name", "n", "--description", "d"],
      stderr: () => "Error: Session 'no-such-session' not found.\n",
      exitCode: 2,
    },
    {
      name: "send in a deleted session",
      argv: () => [
        "--session-id",
        gone.sessionId,
        "send",
        "--agent-id",
        goneAgent,
        "--to",
        goneAgent,
        "--text",
        "x",
      ],
      stderr: () => `Error: Sender agent not found or not active in session: ${goneAgent}\n`,
      exitCode: 1,
    },
    {
      name: "ack the Director's task as the Director of another session",
      argv: () => [
        "--session-id",
        other.sessionId,
        "ack",
        "--agent-id",
        other.directorId,
        "--task-id",
        taskId,
      ],
      stderr: () => `Error: Task ${taskId} not found\n`,
      exitCode: 1,
    },
    {
      name: "show a missing session",
      argv: () => ["session", "show", "no-such-session"],
      stderr: () => "Error: session 'no-such-session' not found.\n",
      exitCode: 1,
    },
    {
      name: "delete a missing session",
      argv: () => ["session", "delete", "no-such-session"],
      stderr: () => "Error: session 'no-such-session' not found.\n",
      exitCode: 1,
    },
  ];
  for (const testCase of cases)
    it(`${testCase.name}: exact error, nothing written`, () => {
      casesTried++;
      const before = snapshot(db);
      const result = sandbox.run(testCase.argv());
      expect({ stderr: result.stderr, exitCode: result.exitCode, stdout: result.stdout }).toEqual({
        stderr: testCase.stderr(),
        exitCode: testCase.exitCode,
        stdout: "",
      });
      expect(snapshot(db)).toBe(before);
    });

  it("a deleted session stays readable and a second delete reports 0 agents", () => {
    const deleted = sandbox.run(["session", "delete", gone.sessionId]);
    expect(deleted).toEqual({
      stdout: `Deleted session ${gone.sessionId}. Deregistered 0 agents.\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(sandbox.run(["session", "show", gone.sessionId]).stdout).toMatch(/^deleted_at: /m);
  });
});

describe("--skills", () => {
  function register(skills: string): { result: CliResult; card?: string } {
    casesTried++;
    const before = snapshot(db);
    const result = sandbox.run([
      "--session-id",
      main.sessionId,
      "--json",
      "register",
      "--name",
      "s",
      "--description",
      "d",
      "--skills",
      skills,
    ]);
    if (result.exitCode !== 0) {
      expect(failureProblems(result)).toEqual([]);
      expect(snapshot(db)).toBe(before);
      return { result };
    }
    const id = (JSON.parse(result.stdout) as { agent_id: string }).agent_id;
    const row = db.query("SELECT agent_card_json AS card FROM agents WHERE agent_id = ?").get(id) as {
      card: string;
    };
    return { result, card: row.card };
  }

  const cardWith = (skills: unknown) => JSON.stringify({ name: "s", description: "d", skills });

  it("that is not an array is stored as given (cli.md §6.8: no schema check)", () => {
    for (const skills of [{ id: "x" }, "text", 42, true])
      expect(register(JSON.stringify(skills)).card).toBe(cardWith(skills));
  });

  it("nested 1,000 deep is stored verbatim and the agent still lists, receives and is counted", () => {
    const deep = `${"[".repeat(1000)}${"]".repeat(1000)}`;
    const { card } = register(deep);
    expect(card).toBe(cardWith(JSON.parse(deep)));
    const broadcast = sandbox.run([
      "--session-id",
      main.sessionId,
      "broadcast",
      "--agent-id",
      alice,
      "--text",
      "deep",
    ]);
    expect(broadcast.exitCode).toBe(0);
    expect(sandbox.run(["--session-id", main.sessionId, "agents", "--agent-id", alice]).exitCode).toBe(0);
  });

  it("nested 60,000 deep (the most argv allows) is stored or refused cleanly", () => {
    const deep = `${"[".repeat(60_000)}${"]".repeat(60_000)}`;
    const { result, card } = register(deep);
    if (card) expect(card.length).toBe(cardWith([]).length - 2 + deep.length);
    else expect(result.stderr).toMatch(/^Error: Invalid JSON in --skills: nested too deeply/);
    expect(crashProblems(result)).toEqual([]);
  });

  it("big (128 KiB - 1) is stored verbatim", () => {
    const items = Array.from({ length: 4000 }, (_, index) => ({ id: `s${index}`, name: "n" }));
    let big = JSON.stringify(items);
    while (big.length > MAX_ARG_BYTES) big = JSON.stringify(items.splice(0, items.length - 50));
    expect(register(big).card).toBe(cardWith(JSON.parse(big)));
  });

  it("invalid JSON is one line and writes nothing", () => {
    expect(register("").card).toBe(cardWith([]));
    for (const skills of ["[1,", "{'a': 1}", "NaN", "[1] [2]", " "]) {
      const { result } = register(skills);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^Error: Invalid JSON in --skills: .+\n$/);
    }
  });
});

describe("member create", () => {
  const create = (name: string, extra: string[] = []) =>
    sandbox.run([
      "--session-id",
      main.sessionId,
      "--json",
      "member",
      "create",
      "--agent-id",
      main.directorId,
      "--name",
      name,
      "--description",
      "d",
      ...extra,
    ]);

  it("passes a name and prompt full of shell metacharacters to the coding agent as literal argv", async () => {
    casesTried++;
    const nasty = `$(touch ${sandbox.dir}/pwned-name); \`touch ${sandbox.dir}/pwned-tick\` | ; & > "' \\`;
    const prompt = `{{literal}} $(touch ${sandbox.dir}/pwned-prompt) {agent_id}`;
    const result = create(nasty, ["--", prompt]);
    expect(result.stderr).toBe("");
    const created = JSON.parse(result.stdout) as { agent_id: string; placement: { tmux_pane_id: string } };
    const argvFile = join(sandbox.dir, `${created.placement.tmux_pane_id}.argv`);
    expect(await waitFor(() => existsSync(argvFile), 5000)).toBe(true);
    const argv = readFileSync(argvFile, "utf8").split("\0").slice(0, -1);
    expect(argv).toEqual([
      "claude",
      "--name",
      nasty,
      `{literal} $(touch ${sandbox.dir}/pwned-prompt) ${created.agent_id}`,
    ]);
    expect(readdirSync(sandbox.dir).filter((name) => name.startsWith("pwned"))).toEqual([]);
  });

  it("a bad --coding-agent is a usage error and writes nothing", () => {
    casesTried++;
    const before = snapshot(db);
    const result = create("x", ["--coding-agent", "bash"]);
    expect(result).toEqual({
      stdout: "",
      stderr:
        "Error: Invalid value for '--coding-agent': 'bash' is not one of 'claude', 'codex', 'opencode', 'gemini'.\n",
      exitCode: 2,
    });
    expect(snapshot(db)).toBe(before);
  });

  it("an unknown placeholder rolls the registration back and spawns no pane", () => {
    casesTried++;
    const panes = sandbox.tmux.paneIds();
    const result = create("rolled-back", ["--", "{foo}"]);
    expect(failureProblems(result)).toEqual([]);
    expect(result.stderr).toMatch(
      /^Error: prompt resolution failed: Unknown placeholder 'foo' in custom prompt\. .+\. Rolled back registration of [0-9a-f-]{36}\.\n$/,
    );
    const rows = db
      .query(
        "SELECT a.status, p.agent_id AS placed FROM agents AS a LEFT JOIN agent_placements AS p ON p.agent_id = a.agent_id WHERE a.name = 'rolled-back'",
      )
      .all();
    expect(rows).toEqual([{ status: "deregistered", placed: null }]);
    expect(sandbox.tmux.paneIds()).toEqual(panes);
  });
});

describe("integers beyond what JavaScript or SQLite holds", () => {
  it("poll --page-size 99999999999999999999 means no limit, as for any page larger than the inbox", () => {
    casesTried++;
    const all = sandbox.run(["--session-id", main.sessionId, "--json", "poll", "--agent-id", bob]);
    const huge = sandbox.run([
      "--session-id",
      main.sessionId,
      "--json",
      "poll",
      "--agent-id",
      bob,
      "--page-size",
      "99999999999999999999",
    ]);
    expect(huge.stderr).toBe("");
    expect(huge.exitCode).toBe(0);
    expect(huge.stdout).toBe(all.stdout);
  });
});
