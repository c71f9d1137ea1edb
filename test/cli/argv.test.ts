import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { version } from "../../package.json" with { type: "json" };
import { expectError, Fleet, type SessionIds } from "../support/fleet.ts";

const SESSION_REQUIRED =
  "--session-id <uuid> is required for this subcommand. Create a session with 'cafleet session create' and pass its id.";

const TOP_LEVEL = [
  "db",
  "session",
  "server",
  "doctor",
  "register",
  "send",
  "broadcast",
  "poll",
  "ack",
  "cancel",
  "get-task",
  "agents",
  "deregister",
  "member",
];

let fleet: Fleet;
let ids: SessionIds;
let alice: string;
let bob: string;

beforeAll(() => {
  fleet = new Fleet("argv");
  ids = fleet.createSession();
  alice = fleet.register(ids.sessionId, "alice");
  bob = fleet.register(ids.sessionId, "bob");
}, 60_000);
afterAll(() => fleet.stop());

describe("--version and --help", () => {
  it("prints the version before anything else and ignores the rest of argv", () => {
    for (const argv of [["--version"], ["--json", "--version"], ["--version", "poll", "--bogus"]])
      expect(fleet.run(argv)).toEqual({ stdout: `cafleet ${version}\n`, stderr: "", exitCode: 0 });
  });

  it("lists every top-level command at the start of an indented line", () => {
    const result = fleet.run(["--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    for (const command of TOP_LEVEL) expect(result.stdout).toMatch(new RegExp(`^ +${command} +\\S`, "m"));
  });

  it("lists subcommands of session, member and db, and --host/--port for server", () => {
    const session = fleet.run(["session", "--help"]);
    expect(session.exitCode).toBe(0);
    for (const sub of ["create", "list", "show", "delete"])
      expect(session.stdout).toMatch(new RegExp(`^ +${sub} +\\S`, "m"));
    const member = fleet.run(["member", "--help"]);
    for (const sub of ["create", "delete", "list", "capture", "send-input"])
      expect(member.stdout).toMatch(new RegExp(`^ +${sub} +\\S`, "m"));
    const server = fleet.run(["server", "--help"]);
    expect(server.exitCode).toBe(0);
    expect(server.stdout).toContain("--host");
    expect(server.stdout).toContain("--port");
  });

  it("shows command help with exit 0 without a session id, even when options are missing", () => {
    for (const argv of [
      ["register", "--help"],
      ["poll", "--agent-id", "x", "--help"],
      ["session", "create", "--help"],
      ["db", "init", "--help"],
      ["db", "--help"],
    ]) {
      const result = fleet.run(argv);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("Usage:\n  $ cafleet ");
      expect(result.stderr).toBe("");
    }
  });

  it("treats --help as Click's eager flag: it beats conversions and missing options, not parse errors", () => {
    for (const argv of [
      ["poll", "--page-size", "x", "--help"],
      ["--help", "env"],
      ["session", "--help", "list"],
      ["session", "show", "--help", "a", "b"],
    ]) {
      const result = fleet.run(argv);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("Usage:\n  $ cafleet ");
    }
    expectError(fleet.run(["poll", "--help", "--bogus"]), "No such option: --bogus", 2);
    expectError(fleet.run(["--help", "--bogus"]), "No such option: --bogus", 2);
    expectError(fleet.run(["session", "--help", "--bogus"]), "No such option: --bogus", 2);
    expectError(fleet.run(["poll", "--help", "--agent-id"]), "Option '--agent-id' requires an argument.", 2);
    const consumed = fleet.run(["poll", "--agent-id", "--help"]);
    expect(consumed.exitCode).toBe(1);
    expect(consumed.stderr).toStartWith("Error: --session-id <uuid> is required");
  });

  it("prints help on stderr with exit 2 for a bare cafleet or a bare group", () => {
    for (const argv of [[], ["session"], ["member"], ["db"]]) {
      const result = fleet.run(argv);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("Usage:\n  $ cafleet ");
    }
  });

  it("does not create the database for help, version or usage errors", () => {
    const fresh = new Fleet("argv-nodb");
    try {
      for (const argv of [["--help"], ["--version"], [], ["env"], ["register"], ["poll", "--agent-id", "x"]])
        fresh.run(argv);
      expect(existsSync(fresh.dbPath)).toBe(false);
    } finally {
      fresh.stop();
    }
  });
});

describe("command words and options", () => {
  it("rejects unknown commands and subcommands with exit 2", () => {
    expectError(fleet.run(["env"]), "No such command 'env'.", 2);
    expectError(fleet.run(["client"]), "No such command 'client'.", 2);
    expectError(fleet.run(["db", "session", "create"]), "No such command 'session'.", 2);
    expectError(fleet.run(["session", "purge"]), "No such command 'purge'.", 2);
  });

  it("treats a global flag after the command word as an unknown option", () => {
    expectError(fleet.run(["poll", "--json", "--agent-id", alice]), "No such option: --json", 2);
    expectError(fleet.run(["register", "--session-id", ids.sessionId]), "No such option: --session-id", 2);
    expectError(fleet.run(["db", "init", "--json"]), "No such option: --json", 2);
    expectError(fleet.run(["session", "delete", ids.sessionId, "--json"]), "No such option: --json", 2);
    expectError(fleet.run(["session", "--json", "list"]), "No such option: --json", 2);
    expectError(fleet.run(["--bogus", "poll"]), "No such option: --bogus", 2);
    expectError(fleet.run(["session", "list", "--all"]), "No such option: --all", 2);
    expectError(fleet.run(["poll", "-h"]), "No such option: -h", 2);
  });

  it("lets session create, list and show take their own --json", () => {
    const listed = fleet.run(["session", "list", "--json"]);
    expect(listed.exitCode).toBe(0);
    expect(JSON.parse(listed.stdout)[0].session_id).toBe(ids.sessionId);
    const shown = fleet.run(["session", "show", "--json", ids.sessionId]);
    expect(JSON.parse(shown.stdout).session_id).toBe(ids.sessionId);
  });

  it("reports a missing option before the missing session id", () => {
    expectError(fleet.run(["register"]), "Missing option '--name'.", 2);
    expectError(fleet.run(["register", "--name", "x"]), "Missing option '--description'.", 2);
    expectError(fleet.run(["poll"]), "Missing option '--agent-id'.", 2);
    expectError(fleet.run(["send", "--agent-id", "a", "--to", "b"]), "Missing option '--text'.", 2);
    expectError(
      fleet.run(["poll", "--agent-id", "a", "--page-size", "x"]),
      "Invalid value for '--page-size': 'x' is not a valid integer.",
      2,
    );
  });

  it("requires --session-id (never read from the environment)", () => {
    expectError(fleet.run(["register", "--name", "a", "--description", "b"]), SESSION_REQUIRED);
    expectError(
      fleet.run(["register", "--name", "a", "--description", "b"], { CAFLEET_SESSION_ID: ids.sessionId }),
      SESSION_REQUIRED,
    );
    expectError(fleet.run(["--session-id", "", "poll", "--agent-id", alice]), SESSION_REQUIRED);
    for (const command of [
      "send",
      "broadcast",
      "poll",
      "ack",
      "cancel",
      "get-task",
      "agents",
      "deregister",
    ]) {
      const argv = {
        send: ["--agent-id", "a", "--to", "b", "--text", "t"],
        broadcast: ["--agent-id", "a", "--text", "t"],
        poll: ["--agent-id", "a"],
        ack: ["--agent-id", "a", "--task-id", "t"],
        cancel: ["--agent-id", "a", "--task-id", "t"],
        "get-task": ["--agent-id", "a", "--task-id", "t"],
        agents: ["--agent-id", "a"],
        deregister: ["--agent-id", "a"],
      }[command]!;
      expectError(fleet.run([command, ...argv]), SESSION_REQUIRED);
    }
  });

  it("accepts --opt=value, last repeated option wins, and a value may start with '-'", () => {
    const sent = fleet.json<{ task: { artifacts: { parts: { text: string }[] }[]; contextId: string } }>([
      `--session-id=${ids.sessionId}`,
      "send",
      `--agent-id=${alice}`,
      "--to",
      "not-a-uuid",
      `--to=${bob}`,
      "--text",
      "-1 is wrong",
    ]);
    expect(sent.task.contextId).toBe(bob);
    expect(sent.task.artifacts[0]!.parts[0]!.text).toBe("-1 is wrong");
    const flagLike = fleet.json<{ task: { artifacts: { parts: { text: string }[] }[] } }>([
      "--session-id",
      ids.sessionId,
      "send",
      "--agent-id",
      alice,
      "--to",
      bob,
      "--text",
      "--json",
    ]);
    expect(flagLike.task.artifacts[0]!.parts[0]!.text).toBe("--json");
    const empty = fleet.json<{ task: { artifacts: { parts: { text: string }[] }[] } }>([
      "--session-id",
      ids.sessionId,
      "send",
      "--agent-id",
      alice,
      "--to",
      bob,
      "--text=",
    ]);
    expect(empty.task.artifacts[0]!.parts[0]!.text).toBe("");
  });

  it("keeps a session id verbatim (no numeric coercion)", () => {
    expectError(
      fleet.run(["--session-id", "0012", "poll", "--agent-id", alice]),
      `Agent ${alice} not found in session 0012`,
    );
  });

  it("rejects extra positionals, a missing value and a value on a flag", () => {
    expectError(
      fleet.run(["--session-id", ids.sessionId, "poll", "--agent-id", alice, "extra"]),
      "Got unexpected extra argument (extra)",
      2,
    );
    expectError(fleet.run(["session", "list", "a", "b"]), "Got unexpected extra arguments (a b)", 2);
    expectError(fleet.run(["session", "show"]), "Missing argument 'SESSION_ID'.", 2);
    expectError(fleet.run(["poll", "--agent-id"]), "Option '--agent-id' requires an argument.", 2);
    expectError(fleet.run(["--session-id"]), "Option '--session-id' requires an argument.", 2);
    expectError(fleet.run(["--json=yes", "session", "list"]), "Option '--json' does not take a value.", 2);
    expectError(fleet.run(["--json"]), "Missing command.", 2);
  });

  it("reads a single-dash token letter by letter and names the first unknown letter, as Click does", () => {
    const del = ["--session-id", ids.sessionId, "member", "delete", "--agent-id", alice, "--member-id", bob];
    expectError(fleet.run([...del, "-fx"]), "No such option: -x", 2);
    expectError(fleet.run([...del, "-f=1"]), "No such option: -=", 2);
    expectError(fleet.run(["-xy", "session", "list"]), "No such option: -x", 2);
    expectError(fleet.run(["session", "-hz", "list"]), "No such option: -h", 2);
    expectError(fleet.run(["session", "list", "-ab"]), "No such option: -a", 2);
    // -ff is -f twice: parsing passes and the member checks run (bob has no placement).
    expectError(
      fleet.run([...del, "-ff"], { TMUX: "", TMUX_PANE: "" }),
      "cafleet member commands must be run inside a tmux session",
    );
  });

  it("lets a positional come after options and '--' end option parsing", () => {
    const shown = fleet.run(["session", "show", "--", ids.sessionId]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toStartWith(`session_id: ${ids.sessionId}\n`);
  });
});
