import { CafleetError, messageOf } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { type AgentSummary, findPlacement, type Placement, setPlacementPane } from "./agents.ts";
import { recordPaneServer } from "./pane-address.ts";

/** The Director-side rules of `member delete|capture|send-input` (cli.md §6.18). */

export type TeamMember = AgentSummary & { placement: Placement };

/** `delete` points at `deregister`; `capture` and `send-input` say the agent was never spawned. */
export type MemberAction = "delete" | "interact";

type Row = AgentSummary & { placement: Placement | null };

function loadActiveAgent(db: Database, sessionId: string, agentId: string): Row | null {
  try {
    const agent = db
      .query(
        `SELECT agent_id, name, description, status, registered_at FROM agents
         WHERE agent_id = ? AND session_id = ? AND status = 'active'`,
      )
      .get(agentId, sessionId) as AgentSummary | null;
    return agent && { ...agent, placement: findPlacement(db, agentId) };
  } catch (error) {
    throw new CafleetError(`failed to fetch member: ${messageOf(error)}`);
  }
}

/**
 * Loads `memberId` and checks it is an active, spawned member of `directorId`'s team in this
 * session. Runs before any tmux call that touches the member's pane.
 */
export function requireTeamMember(
  db: Database,
  input: { sessionId: string; directorId: string; memberId: string; action: MemberAction },
): TeamMember {
  const { memberId } = input;
  const member = loadActiveAgent(db, input.sessionId, memberId);
  if (!member) throw new CafleetError(`Agent ${memberId} not found`);
  const { placement } = member;
  if (!placement)
    throw new CafleetError(
      input.action === "delete"
        ? `agent ${memberId} has no placement; use \`cafleet deregister\` instead`
        : `agent ${memberId} has no placement row; it was not spawned via \`cafleet member create\`.`,
    );
  if (placement.director_agent_id !== input.directorId)
    throw new CafleetError(
      `agent ${memberId} is not a member of your team (director_agent_id=${placement.director_agent_id ?? "None"}).`,
    );
  return { ...member, placement };
}

/** Stores the spawned pane (id and server) in the pending placement; false when the row has vanished. */
export function recordMemberPane(
  db: Database,
  memberId: string,
  pane: { id: string; server: string | null },
  repl: string,
): boolean {
  return db
    .transaction(() => {
      if (!setPlacementPane(db, memberId, pane.id)) return false;
      recordPaneServer(db, memberId, pane.server, repl);
      return true;
    })
    .immediate();
}

/** The Director's display name, baked into a new member's prompt. */
export function directorName(db: Database, directorId: string): string {
  const row = db.query("SELECT name FROM agents WHERE agent_id = ?").get(directorId) as {
    name: string;
  } | null;
  return row?.name ?? "";
}

/** A respawned member's new pane (in the caller's window); clears the gone mark. */
export function replaceMemberPane(
  db: Database,
  memberId: string,
  pane: { session: string; windowId: string; paneId: string; server: string | null },
): void {
  db.query(
    `UPDATE agent_placements SET tmux_session = ?, tmux_window_id = ?, tmux_pane_id = ?, tmux_socket = ?,
       pane_gone_at = NULL, hold_reported_at = NULL, screen_state = NULL, screen_state_since = NULL,
       screen_digest = NULL, screen_changed_at = NULL, finding = NULL, finding_reported_at = NULL
     WHERE agent_id = ?`,
  ).run(pane.session, pane.windowId, pane.paneId, pane.server, memberId);
}

/** What `member create` (and `respawn --model`) set beside the placement's normative columns. */
export type MemberSettings = {
  model: string | null;
  waiting_alert_seconds: number | null;
  stalled_alert_seconds: number | null;
};

export function readMemberSettings(db: Database, memberId: string): MemberSettings {
  const row = db
    .query(
      "SELECT model, waiting_alert_seconds, stalled_alert_seconds FROM agent_placements WHERE agent_id = ?",
    )
    .get(memberId) as MemberSettings | null;
  return row ?? { model: null, waiting_alert_seconds: null, stalled_alert_seconds: null };
}

export function writeMemberSettings(db: Database, memberId: string, settings: MemberSettings): void {
  db.query(
    "UPDATE agent_placements SET model = ?, waiting_alert_seconds = ?, stalled_alert_seconds = ? WHERE agent_id = ?",
  ).run(settings.model, settings.waiting_alert_seconds, settings.stalled_alert_seconds, memberId);
}
