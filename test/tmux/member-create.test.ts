import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DirectorSession, MemberHarness } from "./harness.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

let h: MemberHarness;
let session: DirectorSession;

beforeAll(() => {
  h = new MemberHarness("create");
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

type AgentRow = { agent_id: string; status: string };
function placementsOf(agentId: string) {
  return h.sql<{ tmux_pane_id: string | null; director_agent_id: string; coding_agent: string }>(
    "SELECT tmux_pane_id, director_agent_id, coding_agent FROM agent_placements WHERE agent_id = ?",
    agentId,
  );
}
function activeAgentsNamed(name: string): AgentRow[] {
  return h.sql<AgentRow>("SELECT agent_id, status FROM agents WHERE name = ? AND status = 'active'", name);
}
function agentsNamed(name: string): AgentRow[] {
  return h.sql<AgentRow>("SELECT agent_id, status FROM agents WHERE name = ? ORDER BY rowid", name);
}

describe("member create", () => {
  it("spawns claude in a split of the Director's window with the default prompt", async () => {
    const result = h.run(h.memberCreateArgs(session, "Claude-B"));
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Member registered and spawned.");
    const agentId = lines[1]!.replace("  agent_id:  ", "");
    expect(agentId).toMatch(UUID);
    const pane = lines[4]!.replace("  pane_id:   ", "");
    expect(result.stdout).toBe(
      [
        "Member registered and spawned.",
        `  agent_id:  ${agentId}`,
        "  name:      Claude-B",
        "  backend:   claude",
        `  pane_id:   ${pane}`,
        `  window_id: ${h.windowId}`,
        "",
      ].join("\n"),
    );
    expect(h.tmux.tmux(["display-message", "-p", "-t", pane, "#{window_id}"]).trim()).toBe(h.windowId);
    expect(await h.argvOf(pane)).toEqual([
      "claude",
      "--name",
      "Claude-B",
      `Load Skill(cafleet). Your session_id is ${session.sessionId} and your agent_id is ${agentId}.\n` +
        `You are a member of the team led by Director (${session.directorId}).\n` +
        `Wait for instructions via \`cafleet --session-id ${session.sessionId} poll --agent-id ${agentId} --new\`.`,
    ]);
    expect(placementsOf(agentId)).toEqual([
      { tmux_pane_id: pane, director_agent_id: session.directorId, coding_agent: "claude" },
    ]);
    // main-vertical: the Director's pane is the full-height left pane.
    const [top, left, height] = h.tmux
      .tmux(["display-message", "-p", "-t", h.directorPane, "#{pane_top} #{pane_left} #{pane_height}"])
      .trim()
      .split(" ");
    expect([top, left, height]).toEqual(["0", "0", "60"]);
  });

  it("spawns codex with Codex 0.169's approval and sandbox flags, the database folder writable, forwards the database URL and prints JSON", async () => {
    const member = h.createMember(session, "Codex-C", ["--coding-agent", "codex"]);
    const pane = member.placement.tmux_pane_id;
    expect(Object.keys(member)).toEqual(["agent_id", "name", "registered_at", "placement"]);
    expect(member.registered_at).toMatch(ISO);
    expect(member).toEqual({
      agent_id: member.agent_id,
      name: "Codex-C",
      registered_at: member.registered_at,
      placement: {
        director_agent_id: session.directorId,
        tmux_session: "main",
        tmux_window_id: h.windowId,
        tmux_pane_id: pane,
        coding_agent: "codex",
        created_at: member.registered_at,
      },
    });
    const s = session.sessionId;
    const id = member.agent_id;
    expect(await h.argvOf(pane)).toEqual([
      "codex",
      "--ask-for-approval",
      "on-request",
      "--sandbox",
      "workspace-write",
      "--add-dir",
      h.dir,
      "--no-daemon",
      `Your session_id is ${s} and your agent_id is ${id}.\n` +
        `You are a member of the team led by Director (${session.directorId}).\n` +
        `Check for instructions using \`cafleet --session-id ${s} poll --agent-id ${id} --new\`.\n` +
        `Use \`cafleet --session-id ${s} ack --agent-id ${id} --task-id <id>\` to acknowledge messages\n` +
        `and \`cafleet --session-id ${s} send --agent-id ${id} --to <id> --text "..."\` to reply.`,
    ]);
    // The tmux server itself has no CAFLEET_DATABASE_URL: the pane got it through -e.
    expect(await h.databaseUrlSeenBy(pane)).toBe(`sqlite:///${join(h.dir, "cafleet.db")}`);
  });

  it("forwards nothing when CAFLEET_DATABASE_URL is unset (the default database is used)", async () => {
    const unset = h.createSession.call({
      run: (args: string[]) => h.run(args, { CAFLEET_DATABASE_URL: undefined }),
    } as unknown as MemberHarness);
    const result = h.run(["--json", ...h.memberCreateArgs(unset, "NoUrl")], {
      CAFLEET_DATABASE_URL: undefined,
    });
    expect(result.exitCode).toBe(0);
    const pane = JSON.parse(result.stdout).placement.tmux_pane_id;
    expect(await h.databaseUrlSeenBy(pane)).toBe("<unset>");
  });

  it("substitutes the four placeholders and doubled braces of a custom prompt", async () => {
    const member = h.createMember(session, "Custom", [
      "--",
      "Hi",
      "{director_name}/{director_agent_id}:",
      "{{literal}}",
      "{session_id}",
      "{agent_id}",
      "}}{{",
    ]);
    const argv = await h.argvOf(member.placement.tmux_pane_id);
    expect(argv[3]).toBe(
      `Hi Director/${session.directorId}: {literal} ${session.sessionId} ${member.agent_id} }{`,
    );
  });

  it.each([
    ["claude", ["claude", "--name", "Modelled-claude", "--model", "opus-x", "go"]],
    ["codex", ["codex", "--model", "opus-x", "--ask-for-approval"]],
    ["opencode", ["opencode", "--model", "opus-x", "--prompt", "go"]],
    [
      "gemini",
      [
        "gemini",
        "--model",
        "opus-x",
        "--policy=<database folder>/gemini-member-policy.toml",
        "--prompt-interactive",
        "go",
      ],
    ],
  ])("passes --model to %s with its own flag and shows it in member list", async (agent, argvStart) => {
    const member = h.createMember(session, `Modelled-${agent}`, [
      "--coding-agent",
      agent,
      "--model",
      "opus-x",
      "--",
      "go",
    ]);
    const argv = await h.argvOf(member.placement.tmux_pane_id);
    // The table is built before the harness exists: the folder is filled in here.
    const expected = argvStart.map((arg) => arg.replace("<database folder>", h.dir));
    expect(argv.slice(0, expected.length)).toEqual(expected);
    const listed = JSON.parse(h.member(session, "list", [], { json: true }).stdout) as {
      agent_id: string;
      model: string | null;
    }[];
    expect(listed.find((row) => row.agent_id === member.agent_id)?.model).toBe("opus-x");
    const wide = h.member(session, "list", ["--wide"]).stdout.split("\n");
    expect(wide[1]).toStartWith("  agent_id        name      backend  state    unread  held  last_activity");
    expect(wide.find((line) => line.includes(`Modelled-${agent}`))).toEndWith("  opus-x");
    const deleted = h.member(session, "delete", ["--member-id", member.agent_id]);
    expect(deleted.stdout).toContain("(closed)");
    expect(h.inputOf(member.placement.tmux_pane_id).at(-1)).toBe(agent === "gemini" ? "/quit" : "/exit");
  });

  it("writes the Gemini CLI policy its argv names beside the database: cafleet calls allowed, owner-only", () => {
    const member = h.createMember(session, "Policed", ["--coding-agent", "gemini"]);
    const policy = join(h.dir, "gemini-member-policy.toml");
    expect(
      readFileSync(policy, "utf8")
        .split("\n")
        .filter((line) => line && !line.startsWith("#")),
    ).toEqual([
      "[[rule]]",
      'toolName = "run_shell_command"',
      'commandPrefix = "cafleet"',
      'decision = "allow"',
      "priority = 100",
    ]);
    expect(statSync(policy).mode & 0o777).toBe(0o600);
    expect(h.member(session, "delete", ["--member-id", member.agent_id]).exitCode).toBe(0);
  });

  it("passes names and prompts with shell and tmux syntax through as plain characters", async () => {
    const name = `x; touch pwned-$(id)\`id\` 'q' "d" C-c Enter 日本`;
    const prompt = `$(touch ${h.dir}/pwned) \`touch ${h.dir}/pwned2\`; echo "hi" 'there' C-c Enter $HOME ñ 日本語`;
    const member = h.createMember(session, name, ["--", prompt]);
    expect(member.name).toBe(name);
    expect(await h.argvOf(member.placement.tmux_pane_id)).toEqual(["claude", "--name", name, prompt]);
    expect(await Bun.file(join(h.dir, "pwned")).exists()).toBe(false);
    expect(await Bun.file(join(h.dir, "pwned2")).exists()).toBe(false);
  });

  it("rolls back and names the unknown placeholder", () => {
    const result = h.run(h.memberCreateArgs(session, "BadPrompt", ["--", "do {foo.bar} now"]));
    expect(result.exitCode).toBe(1);
    const [agent] = agentsNamed("BadPrompt");
    expect(agent?.status).toBe("deregistered");
    expect(result.stderr).toBe(
      "Error: prompt resolution failed: Unknown placeholder 'foo' in custom prompt. Supported placeholders: {session_id}, {agent_id}, {director_name}, {director_agent_id}. Double literal braces ({{, }}) to keep them as text.. " +
        `Rolled back registration of ${agent!.agent_id}.\n`,
    );
    expect(placementsOf(agent!.agent_id)).toEqual([]);
  });

  for (const [template, detail] of [
    ["a { b", "expected '}' before end of string"],
    ["a } b", "Single '}' encountered in format string"],
    ["a {", "Single '{' encountered in format string"],
    ["{}", undefined],
    ["{0}", undefined],
    ["{agent_id.x}", undefined],
    ["{agent_id!r}", undefined],
    ["{agent_id:>9}", undefined],
    ["{agent_id", "expected '}' before end of string"],
  ] as const) {
    it(`refuses the malformed prompt ${JSON.stringify(template)} and rolls back`, () => {
      const name = `Malformed ${template}`;
      const result = h.run(h.memberCreateArgs(session, name, ["--", template]));
      expect(result.exitCode).toBe(1);
      const [agent] = agentsNamed(name);
      expect(agent?.status).toBe("deregistered");
      const lines = result.stderr.split("\n");
      expect(lines.length).toBe(2);
      expect(lines[0]).toStartWith("Error: prompt resolution failed: Malformed custom prompt: ");
      if (detail) expect(lines[0]).toContain(`Malformed custom prompt: ${detail}. `);
      expect(lines[0]).toEndWith(
        `. Double literal braces ({{, }}) to keep them as text.. Rolled back registration of ${agent!.agent_id}.`,
      );
    });
  }

  it("refuses a missing coding-agent binary before registering anything", () => {
    const result = h.run(h.memberCreateArgs(session, "NoCodex", ["--coding-agent", "codex"]), {
      PATH: "/usr/bin:/bin",
    });
    expect(result).toEqual({ stdout: "", stderr: "Error: 'codex' binary not found on PATH\n", exitCode: 1 });
    const claude = h.run(h.memberCreateArgs(session, "NoClaude"), { PATH: "/usr/bin:/bin" });
    expect(claude.stderr).toBe("Error: 'claude' binary not found on PATH\n");
    expect(agentsNamed("NoCodex")).toEqual([]);
    expect(agentsNamed("NoClaude")).toEqual([]);
  });

  it("rolls back when split-window fails and leaves no active agent or placement", () => {
    // A second, tiny session: its one window has no room for another pane.
    h.tmux.tmux(["new-session", "-d", "-s", "tiny", "-x", "8", "-y", "3"]);
    const tinyPane = h.tmux.tmux(["display-message", "-p", "-t", "tiny", "#{pane_id}"]).trim();
    const tinyWindow = h.tmux.tmux(["display-message", "-p", "-t", "tiny", "#{window_id}"]).trim();
    for (let i = 0; i < 5; i++)
      try {
        h.tmux.tmux(["split-window", "-t", tinyWindow, "sleep", "600"]);
      } catch {
        break;
      }
    const before = h.tmux.paneIds();
    const result = runIn(tinyPane, h.memberCreateArgs(session, "NoRoom", ["--", "short prompt"]));
    expect(result.exitCode).toBe(1);
    const [agent] = agentsNamed("NoRoom");
    expect(agent?.status).toBe("deregistered");
    expect(result.stderr).toBe(
      `Error: tmux split-window failed: tmux command failed: tmux split-window -t ${tinyWindow} -P -F #{pane_id} ` +
        `-e CAFLEET_DATABASE_URL=sqlite:///${join(h.dir, "cafleet.db")} claude --name NoRoom short prompt\n` +
        `stderr: no space for new pane. Rolled back registration of ${agent!.agent_id}.\n`,
    );
    expect(placementsOf(agent!.agent_id)).toEqual([]);
    expect(activeAgentsNamed("NoRoom")).toEqual([]);
    expect(h.tmux.paneIds()).toEqual(before);
  });

  it("reports register failures with exit 1 and writes nothing", () => {
    const admin = h.run([
      ...h
        .memberCreateArgs(session, "ViaAdmin")
        .map((arg) => (arg === session.directorId ? session.administratorId : arg)),
    ]);
    expect(admin.stderr).toBe("Error: register failed: Administrator cannot be a director\n");
    expect(admin.exitCode).toBe(1);
    const ghost = "00000000-0000-4000-8000-000000000000";
    const missingDirector = h.run([
      ...h.memberCreateArgs(session, "ViaGhost").map((arg) => (arg === session.directorId ? ghost : arg)),
    ]);
    expect(missingDirector.stderr).toBe(
      `Error: register failed: Director agent '${ghost}' not found or not active in session '${session.sessionId}'.\n`,
    );
    const noSession = h.run(h.memberCreateArgs({ ...session, sessionId: "nope" }, "NoSession"));
    expect(noSession).toEqual({
      stdout: "",
      stderr: "Error: register failed: Session 'nope' not found.\n",
      exitCode: 1,
    });
    const gone = h.createSession();
    expect(h.run(["session", "delete", gone.sessionId]).exitCode).toBe(0);
    expect(h.run(h.memberCreateArgs(gone, "DeletedSession")).stderr).toBe(
      `Error: register failed: session ${gone.sessionId} is deleted\n`,
    );
    expect([
      ...agentsNamed("ViaAdmin"),
      ...agentsNamed("ViaGhost"),
      ...agentsNamed("NoSession"),
      ...agentsNamed("DeletedSession"),
    ]).toEqual([]);
  });

  it("needs tmux, $TMUX and $TMUX_PANE, checked in that order", () => {
    const args = h.memberCreateArgs(session, "Outside");
    expect(h.run(args, { TMUX: undefined, TMUX_PANE: undefined }).stderr).toBe(
      "Error: cafleet member commands must be run inside a tmux session\n",
    );
    expect(h.run(args, { TMUX_PANE: undefined }).stderr).toBe(
      "Error: TMUX_PANE is not set; not running inside a tmux pane\n",
    );
    const noTmux = h.run(args, { PATH: join(h.dir, "empty-bin") });
    expect(noTmux).toEqual({ stdout: "", stderr: "Error: tmux binary not found on PATH\n", exitCode: 1 });
    const missingPane = h.run(args, { TMUX_PANE: "%999" });
    expect(missingPane).toEqual({
      stdout: "",
      stderr: "Error: unexpected tmux display-message output: ||\n\n",
      exitCode: 1,
    });
    expect(agentsNamed("Outside")).toEqual([]);
  });

  it("rejects an unknown --coding-agent as a usage error", () => {
    const result = h.run(h.memberCreateArgs(session, "Bad", ["--coding-agent", "foo"]));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      "Error: Invalid value for '--coding-agent': 'foo' is not one of 'claude', 'codex', 'opencode', 'gemini'.",
    );
  });
});

function runIn(pane: string, args: string[]) {
  return h.run(args, { TMUX_PANE: pane });
}
