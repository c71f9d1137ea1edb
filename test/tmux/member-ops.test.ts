import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { waitFor } from "../support/tmux.ts";
import { type CreatedMember, type DirectorSession, MemberHarness } from "./harness.ts";

let h: MemberHarness;
let session: DirectorSession;
let claude: CreatedMember;
let codex: CreatedMember;
/** A second Director (a plain registered agent) with a pending member of its own. */
let otherDirector: string;
let pendingId: string;
let plainAgent: string;

function registerPlain(name: string): string {
  const result = h.run([
    "--session-id",
    session.sessionId,
    "--json",
    "register",
    "--name",
    name,
    "--description",
    "plain",
  ]);
  return JSON.parse(result.stdout).agent_id;
}

beforeAll(async () => {
  h = new MemberHarness("ops");
  session = h.createSession();
  claude = h.createMember(session, "Claude-B");
  codex = h.createMember(session, "Codex-C", ["--coding-agent", "codex"]);
  otherDirector = registerPlain("Lead-2");
  plainAgent = registerPlain("Plain");
  // A pending placement, as left between registration and the pane-id patch.
  pendingId = crypto.randomUUID();
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(h.dir, "cafleet.db"));
  db.run(
    `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json)
     VALUES (?, ?, 'Pending', 'pending member', 'active', '2026-04-16T08:00:00.000000+00:00', '{}')`,
    [pendingId, session.sessionId],
  );
  db.run(
    `INSERT INTO agent_placements (agent_id, director_agent_id, tmux_session, tmux_window_id, tmux_pane_id, coding_agent, created_at)
     VALUES (?, ?, 'main', '@0', NULL, 'claude', '2026-04-16T08:00:00.000000+00:00')`,
    [pendingId, session.directorId],
  );
  db.close();
  await h.waitForReady(claude.placement.tmux_pane_id);
  await h.waitForReady(codex.placement.tmux_pane_id);
}, 60_000);
afterAll(() => h.dispose());

describe("member list", () => {
  it("lists the Director's members in insertion order with the fixed columns", () => {
    const result = h.member(session, "list", []);
    expect(result.exitCode).toBe(0);
    const row = (m: CreatedMember, name: string, backend: string) =>
      `  ${m.agent_id.slice(0, 12)}…   ${name.padEnd(8)}  active  ${backend.padEnd(7)}  main     ${h.windowId.padEnd(9)}  ${m.placement.tmux_pane_id.padEnd(7)}  ${m.registered_at}`;
    expect(result.stdout).toBe(
      [
        "3 members:",
        "  agent_id        name      status  backend  session  window_id  pane_id  created_at",
        "  --------------  --------  ------  -------  -------  ---------  -------  --------------------",
        row(claude, "Claude-B", "claude"),
        row(codex, "Codex-C", "codex"),
        `  ${pendingId.slice(0, 12)}…   Pending   active  claude   main     @0         (pending)  2026-04-16T08:00:00.000000+00:00`,
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with the placement and a null pane for pending members", () => {
    const result = h.member(session, "list", [], { json: true });
    const list = JSON.parse(result.stdout);
    expect(list.map((m: { agent_id: string }) => m.agent_id)).toEqual([
      claude.agent_id,
      codex.agent_id,
      pendingId,
    ]);
    expect(list[0]).toEqual({
      agent_id: claude.agent_id,
      name: "Claude-B",
      description: "Claude-B works here",
      status: "active",
      registered_at: claude.registered_at,
      placement: claude.placement,
      model: null,
      team: { state: "idle", unread: 0, held: 0, last_activity: null },
    });
    expect(list[2].placement.tmux_pane_id).toBeNull();
    expect(list[2].team.state).toBe("pending");
  });

  it("says 0 members, uses the singular, and never lists the root Director", () => {
    const other = { ...session, directorId: otherDirector };
    expect(h.member(other, "list", []).stdout).toBe("0 members.\n");
    expect(h.member(other, "list", [], { json: true }).stdout).toBe("[]\n");
  });

  it("works outside tmux but requires the Director to exist in the session", () => {
    const outside = h.run(
      ["--session-id", session.sessionId, "member", "list", "--agent-id", otherDirector],
      {
        TMUX: undefined,
        TMUX_PANE: undefined,
      },
    );
    expect(outside).toEqual({ stdout: "0 members.\n", stderr: "", exitCode: 0 });
    const ghost = h.member({ ...session, directorId: "ghost" }, "list", []);
    expect(ghost).toEqual({
      stdout: "",
      stderr: `Error: Agent ghost not found in session ${session.sessionId}\n`,
      exitCode: 1,
    });
  });
});

describe("member capture", () => {
  it("prints the pane's buffer as is, and JSON with --json", async () => {
    const pane = claude.placement.tmux_pane_id;
    const expected = h.tmux.tmux(["capture-pane", "-p", "-t", pane, "-S", "-80"]);
    const result = h.member(session, "capture", ["--member-id", claude.agent_id]);
    expect(result).toEqual({ stdout: expected, stderr: "", exitCode: 0 });
    expect(expected).toContain("fake claude ready\n>");
    const json = h.member(session, "capture", ["--member-id", claude.agent_id, "--lines", "3"], {
      json: true,
    });
    expect(JSON.parse(json.stdout)).toEqual({
      member_agent_id: claude.agent_id,
      pane_id: pane,
      lines: 3,
      content: h.tmux.tmux(["capture-pane", "-p", "-t", pane, "-S", "-3"]),
    });
  });

  it("refuses non-positive --lines without calling tmux, and non-integers at parse time", () => {
    for (const lines of ["0", "-5"])
      expect(h.member(session, "capture", ["--member-id", claude.agent_id, "--lines", lines])).toEqual({
        stdout: "",
        stderr: `Error: capture failed: capture_pane: lines must be positive, got ${lines}\n`,
        exitCode: 1,
      });
    expect(h.member(session, "capture", ["--member-id", claude.agent_id, "--lines", "x"]).exitCode).toBe(2);
  });

  it("refuses pending members", () => {
    expect(h.member(session, "capture", ["--member-id", pendingId]).stderr).toBe(
      `Error: member ${pendingId} has no pane yet (pending placement) — nothing to capture.\n`,
    );
  });
});

describe("member authorization", () => {
  const cases: [string, string[]][] = [
    ["capture", []],
    ["send-input", ["--choice", "1"]],
  ];
  for (const [sub, extra] of cases) {
    it(`${sub}: unknown, unplaced and foreign members are refused before any tmux call`, () => {
      const run = (memberId: string, director = session.directorId) =>
        h.member({ ...session, directorId: director }, sub, ["--member-id", memberId, ...extra]);
      expect(run("ghost")).toEqual({ stdout: "", stderr: "Error: Agent ghost not found\n", exitCode: 1 });
      expect(run(plainAgent).stderr).toBe(
        `Error: agent ${plainAgent} has no placement row; it was not spawned via \`cafleet member create\`.\n`,
      );
      expect(run(claude.agent_id, otherDirector).stderr).toBe(
        `Error: agent ${claude.agent_id} is not a member of your team (director_agent_id=${session.directorId}).\n`,
      );
      expect(run(session.directorId).stderr).toBe(
        `Error: agent ${session.directorId} is not a member of your team (director_agent_id=None).\n`,
      );
    });
  }

  it("delete: has its own no-placement wording and refuses foreign members", () => {
    const run = (memberId: string, director = session.directorId) =>
      h.member({ ...session, directorId: director }, "delete", ["--member-id", memberId, "--force"]);
    expect(run(plainAgent).stderr).toBe(
      `Error: agent ${plainAgent} has no placement; use \`cafleet deregister\` instead\n`,
    );
    expect(run(claude.agent_id, otherDirector).stderr).toBe(
      `Error: agent ${claude.agent_id} is not a member of your team (director_agent_id=${session.directorId}).\n`,
    );
    expect(h.paneAlive(claude.placement.tmux_pane_id)).toBe(true);
  });

  it("a member of another session is not found", () => {
    const other = h.createSession();
    const result = h.member(other, "capture", ["--member-id", claude.agent_id]);
    expect(result.stderr).toBe(`Error: Agent ${claude.agent_id} not found\n`);
  });

  it("checks tmux availability first", () => {
    const noTmux = h.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "capture",
        "--agent-id",
        session.directorId,
        "--member-id",
        "ghost",
      ],
      { TMUX: undefined },
    );
    expect(noTmux.stderr).toBe("Error: cafleet member commands must be run inside a tmux session\n");
  });
});

describe("member send-input", () => {
  const run = (args: string[], json = false) =>
    h.member(session, "send-input", ["--member-id", claude.agent_id, ...args], { json });

  it("types a choice digit without Enter", async () => {
    const pane = claude.placement.tmux_pane_id;
    const result = run(["--choice", "2"]);
    expect(result).toEqual({
      stdout: `Sent choice 2 to member Claude-B (${pane}).\n`,
      stderr: "",
      exitCode: 0,
    });
    await waitFor(() => h.tmux.capture(pane).includes("> 2"), 2000);
    expect(h.tmux.capture(pane)).toContain("> 2");
    expect(h.inputOf(pane)).toEqual([]);
  });

  /** Clears the fake's input line and makes it show a question of `options` options. */
  async function ask(pane: string, options: number): Promise<void> {
    h.tmux.tmux(["send-keys", "-t", pane, "C-u"]);
    h.tmux.tmux(["send-keys", "-t", pane, "-l", `/ask ${options}`]);
    h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    await waitFor(() => h.tmux.capture(pane).includes("Chat about this"), 2000);
  }

  it("refuses free text when the screen shows no Type something row, pressing nothing", () => {
    const result = h.member(session, "send-input", ["--member-id", codex.agent_id, "--freetext", "hi"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toStartWith(
      `Error: pane ${codex.placement.tmux_pane_id} shows no question with a "Type something" row, so no key was pressed.`,
    );
  });

  it("picks the Type something row by its number (3 with two options), types the literal text and Enter; shell and tmux syntax arrive as plain characters", async () => {
    const pane = claude.placement.tmux_pane_id;
    await ask(pane, 2);
    const text = `-x $(touch ${h.dir}/pwned) \`id\` $HOME ; && | 'q' "d" C-c Enter Esc 日本語 ñ`;
    const result = run(["--freetext", text], true);
    expect(JSON.parse(result.stdout)).toEqual({
      member_agent_id: claude.agent_id,
      pane_id: pane,
      action: "freetext",
      value: text,
    });
    expect(await h.waitForInput(pane, 1)).toEqual([`3${text}`]);
    expect(await Bun.file(join(h.dir, "pwned")).exists()).toBe(false);
  });

  it("sends an empty free text as the row's number (4 with three options) then Enter", async () => {
    const pane = codex.placement.tmux_pane_id;
    await ask(pane, 3);
    const result = h.member(session, "send-input", ["--member-id", codex.agent_id, "--freetext", ""]);
    expect(result.stdout).toBe(`Sent free text to member Codex-C (${pane}).\n`);
    expect(await h.waitForInput(pane, 1)).toEqual(["4"]);
  });

  it("refuses free text longer than one tmux command before any key is pressed", async () => {
    const pane = claude.placement.tmux_pane_id;
    await ask(pane, 2);
    const before = h.inputOf(pane).length;
    const result = run(["--freetext", "x".repeat(20_000)]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: send failed: the text is 20000 bytes; tmux takes at most \d+ bytes in one command — send it in shorter parts\n$/,
    );
    h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    expect(await h.waitForInput(pane, before + 1)).toEqual([...h.inputOf(pane).slice(0, before), ""]);
  });

  it("prints JSON for a choice with the digit as a string", () => {
    expect(JSON.parse(run(["--choice", "3"], true).stdout)).toEqual({
      member_agent_id: claude.agent_id,
      pane_id: claude.placement.tmux_pane_id,
      action: "choice",
      value: "3",
    });
  });

  it("validates the flags in the spec's order", () => {
    for (const bad of ["0", "4", "-1", "a"]) expect(run(["--choice", bad]).exitCode).toBe(2);
    const lastLine = (args: string[]) => run(args).stderr.trimEnd().split("\n").at(-1);
    expect(lastLine([])).toBe("Error: Must supply exactly one of --choice or --freetext.");
    expect(lastLine(["--choice", "1", "--freetext", "x"])).toBe(
      "Error: Must supply exactly one of --choice or --freetext.",
    );
    expect(run(["--freetext", "a\nb"]).exitCode).toBe(2);
    expect(lastLine(["--freetext", "a\rb"])).toBe("Error: free text may not contain newlines.");
    // Flag rules come before the tmux check.
    const outside = h.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "send-input",
        "--agent-id",
        session.directorId,
        "--member-id",
        "x",
      ],
      { TMUX: undefined },
    );
    expect(outside.exitCode).toBe(2);
    const noSession = h.run(["member", "send-input", "--agent-id", "a", "--member-id", "b", "--choice", "9"]);
    expect(noSession.exitCode).toBe(2);
  });

  it("refuses pending members", () => {
    const result = h.member(session, "send-input", ["--member-id", pendingId, "--choice", "1"]);
    expect(result.stderr).toBe(
      `Error: member ${pendingId} has no pane yet (pending placement) — nothing to send.\n`,
    );
  });

  it("reports a pane that is gone as a send failure", () => {
    const pane = codex.placement.tmux_pane_id;
    h.tmux.tmux(["kill-pane", "-t", pane]);
    const result = h.member(session, "send-input", ["--member-id", codex.agent_id, "--choice", "1"]);
    expect(result).toEqual({
      stdout: "",
      stderr: `Error: send failed: tmux command failed: tmux send-keys -t ${pane} 1\nstderr: can't find pane: ${pane}\n`,
      exitCode: 1,
    });
  });
});

describe("doctor", () => {
  // The lines after these report the cafleet skill: test/skills/doctor.test.ts.
  it("prints the calling pane's coordinates first, as text and JSON", () => {
    const pane = claude.placement.tmux_pane_id;
    const env = { TMUX_PANE: pane };
    const text = h.run(["doctor"], env);
    expect([text.stderr, text.exitCode]).toEqual(["", 0]);
    expect(text.stdout).toStartWith(
      `tmux:\n  session_name:  main\n  window_id:     ${h.windowId}\n  pane_id:       ${pane}\n  TMUX_PANE:     ${pane}\nskills:\n`,
    );
    const json = JSON.parse(h.run(["--json", "doctor"], env).stdout);
    expect(Object.keys(json)).toEqual(["tmux", "skills"]);
    expect(json.tmux).toEqual({
      session_name: "main",
      window_id: h.windowId,
      pane_id: pane,
      tmux_pane_env: pane,
    });
  });

  it("fails with the tmux messages in order", () => {
    expect(h.run(["doctor"], { PATH: join(h.dir, "empty") })).toEqual({
      stdout: "",
      stderr: "Error: tmux binary not found on PATH\n",
      exitCode: 1,
    });
    expect(h.run(["doctor"], { TMUX: "" }).stderr).toBe(
      "Error: cafleet member commands must be run inside a tmux session\n",
    );
    expect(h.run(["doctor"], { TMUX_PANE: "" }).stderr).toBe(
      "Error: TMUX_PANE is not set; not running inside a tmux pane\n",
    );
    expect(h.run(["doctor"], { TMUX: "/nonexistent/socket,1,0" })).toEqual({
      stdout: "",
      stderr: `Error: tmux command failed: tmux display-message -p -t ${h.directorPane} #{session_name}|#{window_id}|#{pane_id}\nstderr: error connecting to /nonexistent/socket (No such file or directory)\n`,
      exitCode: 1,
    });
  });
});
