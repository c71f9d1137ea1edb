import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { type DirectorSession, MemberHarness } from "./harness.ts";

let h: MemberHarness;
let session: DirectorSession;

beforeAll(() => {
  h = new MemberHarness("delete");
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

function agentState(agentId: string) {
  const [agent] = h.sql<{ status: string }>("SELECT status FROM agents WHERE agent_id = ?", agentId);
  const placements = h.sql<{ agent_id: string }>(
    "SELECT agent_id FROM agent_placements WHERE agent_id = ?",
    agentId,
  );
  return { status: agent?.status, placed: placements.length > 0 };
}

function directorIsMainPane(): boolean {
  const [left, height] = h.tmux
    .tmux(["display-message", "-p", "-t", h.directorPane, "#{pane_left} #{pane_height}"])
    .trim()
    .split(" ");
  return left === "0" && height === "60";
}

describe("member delete", () => {
  it("sends /exit, waits for the pane to close, deregisters and prints the closed pane", async () => {
    const member = h.createMember(session, "Quitter");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const started = performance.now();
    const result = h.member(session, "delete", ["--member-id", member.agent_id]);
    expect(result).toEqual({
      stdout: `Member deleted.\n  agent_id:  ${member.agent_id}\n  pane_id:   ${pane} (closed)\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(h.inputOf(pane)).toEqual(["/exit"]);
    expect(h.paneAlive(pane)).toBe(false);
    expect(agentState(member.agent_id)).toEqual({ status: "deregistered", placed: false });
    expect(directorIsMainPane()).toBe(true);
  });

  it("prints JSON and succeeds when the pane is already gone", () => {
    const member = h.createMember(session, "Gone", ["--coding-agent", "codex"]);
    const pane = member.placement.tmux_pane_id;
    h.tmux.tmux(["kill-pane", "-t", pane]);
    const result = h.member(session, "delete", ["--member-id", member.agent_id], { json: true });
    expect(result).toEqual({
      stdout: `{\n  "agent_id": "${member.agent_id}",\n  "pane_status": "${pane} (closed)"\n}\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(agentState(member.agent_id)).toEqual({ status: "deregistered", placed: false });
  });

  it("--force kills the pane without /exit; -f works too, even when the pane is gone", async () => {
    const member = h.createMember(session, "Forced");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const result = h.member(session, "delete", ["--member-id", member.agent_id, "--force"]);
    expect(result).toEqual({
      stdout: `Member deleted (--force).\n  agent_id:  ${member.agent_id}\n  pane_id:   ${pane} (killed)\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(h.paneAlive(pane)).toBe(false);
    expect(h.inputOf(pane)).toEqual([]);
    expect(agentState(member.agent_id)).toEqual({ status: "deregistered", placed: false });
    expect(directorIsMainPane()).toBe(true);

    const other = h.createMember(session, "ForcedGone");
    const otherPane = other.placement.tmux_pane_id;
    h.tmux.tmux(["kill-pane", "-t", otherPane]);
    const json = h.member(session, "delete", ["--member-id", other.agent_id, "-f"], { json: true });
    expect(JSON.parse(json.stdout)).toEqual({
      agent_id: other.agent_id,
      pane_status: `${otherPane} (killed)`,
    });
    expect(json.exitCode).toBe(0);
  });

  it("deregisters a pending member without touching tmux, with or without --force", async () => {
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(h.dir, "cafleet.db"));
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) {
      db.run(
        `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json)
         VALUES (?, ?, 'Pending', 'p', 'active', '2026-04-16T08:00:00.000000+00:00', '{}')`,
        [id, session.sessionId],
      );
      db.run(
        `INSERT INTO agent_placements (agent_id, director_agent_id, tmux_session, tmux_window_id, tmux_pane_id, coding_agent, created_at)
         VALUES (?, ?, 'main', '@0', NULL, 'claude', '2026-04-16T08:00:00.000000+00:00')`,
        [id, session.directorId],
      );
    }
    db.close();
    const panes = h.tmux.paneIds();
    // Outside any reachable tmux server: a pending delete makes no tmux call that could fail.
    const unreachable = h.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "delete",
        "--agent-id",
        session.directorId,
        "--member-id",
        ids[0]!,
      ],
      { TMUX: "/nonexistent/socket,1,0" },
    );
    expect(unreachable).toEqual({
      stdout: `Member deleted.\n  agent_id:  ${ids[0]}\n  pane_id:   (pending — no pane)\n`,
      stderr: "",
      exitCode: 0,
    });
    const forced = h.member(session, "delete", ["--member-id", ids[1]!, "--force"], { json: true });
    expect(JSON.parse(forced.stdout)).toEqual({ agent_id: ids[1], pane_status: "(pending — no pane)" });
    expect(h.tmux.paneIds()).toEqual(panes);
    for (const id of ids) expect(agentState(id)).toEqual({ status: "deregistered", placed: false });
  });

  it("reports an unknown member and refuses a deregistered one", () => {
    const member = h.createMember(session, "Twice");
    expect(h.member(session, "delete", ["--member-id", member.agent_id, "-f"]).exitCode).toBe(0);
    expect(h.member(session, "delete", ["--member-id", member.agent_id])).toEqual({
      stdout: "",
      stderr: `Error: Agent ${member.agent_id} not found\n`,
      exitCode: 1,
    });
  });

  it("reports an unreachable tmux server for /exit and kill-pane with the recovery wording", () => {
    const member = h.createMember(session, "Unreachable");
    const pane = member.placement.tmux_pane_id;
    // The pane's own server (recorded at create) has gone away; the caller is attached elsewhere.
    const db = new Database(join(h.dir, "cafleet.db"));
    db.query("UPDATE agent_placements SET tmux_socket = '/nonexistent/socket' WHERE agent_id = ?").run(
      member.agent_id,
    );
    db.close();
    const broken = {};
    const connect = "stderr: error connecting to /nonexistent/socket (No such file or directory)";
    const look = `tmux -S /nonexistent/socket display-message -p -t ${pane} #{pane_current_command}\t#{pane_title} ; capture-pane -p -t ${pane}`;
    const exit = h.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "delete",
        "--agent-id",
        session.directorId,
        "--member-id",
        member.agent_id,
      ],
      broken,
    );
    expect(exit).toEqual({
      stdout: "",
      stderr: `Error: send_exit failed for pane ${pane}: tmux command failed: ${look}\n${connect}. The tmux server may be unreachable. Verify with 'cafleet doctor', then re-run 'cafleet member delete', or use '--force' to kill the pane directly.\n`,
      exitCode: 1,
    });
    const kill = h.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "delete",
        "--agent-id",
        session.directorId,
        "--member-id",
        member.agent_id,
        "--force",
      ],
      broken,
    );
    expect(kill).toEqual({
      stdout: "",
      stderr: `Error: kill_pane failed for pane ${pane}: tmux command failed: tmux -S /nonexistent/socket kill-pane -t ${pane}\n${connect}. The tmux server may be unreachable. Verify with 'cafleet doctor', then re-run the command.\n`,
      exitCode: 1,
    });
    expect(agentState(member.agent_id)).toEqual({ status: "active", placed: true });
    expect(h.paneAlive(pane)).toBe(true);
  });
});
