import { NotFoundError, RuleError, UsageError } from "../errors.ts";
import type { Agent } from "../server/model.ts";
import type { Database } from "../store/database.ts";
import { nowIso } from "./time.ts";

export type AgentKind = "builtin-administrator" | "user";

export type Placement = {
  director_agent_id: string | null;
  tmux_session: string;
  tmux_window_id: string;
  tmux_pane_id: string | null;
  coding_agent: string;
  created_at: string;
};

export type AgentSummary = {
  agent_id: string;
  name: string;
  description: string;
  status: string;
  registered_at: string;
};

/**
 * `kind` is derived from the card, never stored; malformed card JSON counts as `user`. The
 * validity test is a CASE branch of its own: only CASE orders evaluation on every engine.
 */
export const KIND_SQL = `CASE WHEN NOT json_valid(agent_card_json) THEN 'user'
  WHEN json_type(agent_card_json) = 'object' AND json_extract(agent_card_json, '$.cafleet.kind') = 'builtin-administrator'
  THEN 'builtin-administrator' ELSE 'user' END`;

const PLACEMENT_COLUMNS =
  "director_agent_id, tmux_session, tmux_window_id, tmux_pane_id, coding_agent, created_at";

export function agentCard(name: string, description: string, skills: unknown): string {
  return JSON.stringify({ name, description, skills });
}

export function insertAgent(
  db: Database,
  agent: { agentId: string; sessionId: string; name: string; description: string; card: string; now: string },
): void {
  db.query(
    `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, deregistered_at, agent_card_json)
     VALUES ($agentId, $sessionId, $name, $description, 'active', $now, NULL, $card)`,
  ).run(agent);
}

export function insertPlacement(db: Database, agentId: string, placement: Placement): void {
  db.query(
    `INSERT INTO agent_placements (agent_id, ${PLACEMENT_COLUMNS})
     VALUES ($agentId, $director_agent_id, $tmux_session, $tmux_window_id, $tmux_pane_id, $coding_agent, $created_at)`,
  ).run({ agentId, ...placement });
}

export function findPlacement(db: Database, agentId: string): Placement | null {
  return db
    .query(`SELECT ${PLACEMENT_COLUMNS} FROM agent_placements WHERE agent_id = ?`)
    .get(agentId) as Placement | null;
}

export function setPlacementPane(db: Database, agentId: string, paneId: string): boolean {
  return (
    db.query("UPDATE agent_placements SET tmux_pane_id = ? WHERE agent_id = ?").run(paneId, agentId).changes >
    0
  );
}

/** Looks a session up for registration: missing and deleted are the reference's usage errors. */
function requireLiveSession(db: Database, sessionId: string): void {
  const session = db.query("SELECT deleted_at FROM sessions WHERE session_id = ?").get(sessionId) as {
    deleted_at: string | null;
  } | null;
  if (!session) throw new UsageError(`Session '${sessionId}' not found.`).withCode("session_missing");
  if (session.deleted_at !== null)
    throw new UsageError(`session ${sessionId} is deleted`).withCode("session_deleted");
}

export type Registration = { agent_id: string; name: string; registered_at: string };

/** Registers an agent; with a placement (member create) the Director is checked in the same transaction. */
export function registerAgent(
  db: Database,
  input: {
    sessionId: string;
    name: string;
    description: string;
    skills: unknown;
    placement?: Omit<Placement, "created_at">;
  },
): Registration {
  return db
    .transaction((): Registration => {
      requireLiveSession(db, input.sessionId);
      const directorId = input.placement?.director_agent_id;
      if (directorId) requireDirector(db, input.sessionId, directorId);
      const now = nowIso();
      const agentId = crypto.randomUUID();
      const card = agentCard(input.name, input.description, input.skills);
      insertAgent(db, {
        agentId,
        sessionId: input.sessionId,
        name: input.name,
        description: input.description,
        card,
        now,
      });
      if (input.placement) insertPlacement(db, agentId, { ...input.placement, created_at: now });
      return { agent_id: agentId, name: input.name, registered_at: now };
    })
    .immediate();
}

function requireDirector(db: Database, sessionId: string, directorId: string): void {
  const director = db
    .query(
      `SELECT ${KIND_SQL} AS kind FROM agents WHERE agent_id = ? AND session_id = ? AND status = 'active'`,
    )
    .get(directorId, sessionId) as { kind: AgentKind } | null;
  if (!director)
    throw new RuleError(
      `Director agent '${directorId}' not found or not active in session '${sessionId}'.`,
    ).withCode("director_missing");
  if (director.kind === "builtin-administrator")
    throw new RuleError("Administrator cannot be a director", 409).withCode("administrator_protected");
}

/**
 * The §9 check every `--agent-id` command makes first: the agent exists (any status) in the
 * session. With `active`, a deregistered agent counts as missing.
 */
export function requireAgentInSession(
  db: Database,
  sessionId: string,
  agentId: string,
  options: { active?: boolean } = {},
): void {
  const status = options.active ? " AND status = 'active'" : "";
  const row = db
    .query(`SELECT 1 AS found FROM agents WHERE agent_id = ? AND session_id = ?${status}`)
    .get(agentId, sessionId);
  if (!row)
    throw new NotFoundError(`Agent ${agentId} not found in session ${sessionId}`).withCode(
      "agent_not_in_session",
    );
}

export function isActiveInSession(db: Database, sessionId: string, agentId: string): boolean {
  return (
    db
      .query("SELECT 1 AS found FROM agents WHERE agent_id = ? AND session_id = ? AND status = 'active'")
      .get(agentId, sessionId) !== null
  );
}

const SUMMARY_COLUMNS = "agent_id, name, description, status, registered_at";

export function listActiveAgents(db: Database, sessionId: string): AgentSummary[] {
  return db
    .query(`SELECT ${SUMMARY_COLUMNS} FROM agents WHERE session_id = ? AND status = 'active' ORDER BY rowid`)
    .all(sessionId) as AgentSummary[];
}

export type AgentDetail = AgentSummary & { kind: AgentKind; placement: Placement | null };

export function getActiveAgent(db: Database, sessionId: string, agentId: string): AgentDetail {
  const row = db
    .query(
      `SELECT ${SUMMARY_COLUMNS}, ${KIND_SQL} AS kind FROM agents
       WHERE agent_id = ? AND session_id = ? AND status = 'active'`,
    )
    .get(agentId, sessionId) as (AgentSummary & { kind: AgentKind }) | null;
  if (!row) throw new NotFoundError(`Agent ${agentId} not found`).withCode("agent_missing");
  return { ...row, placement: findPlacement(db, agentId) };
}

/** Agents the web UI lists: active ones, and deregistered ones that still appear in some task. */
export function listSessionAgentsForUi(db: Database, sessionId: string): Agent[] {
  return db
    .query(
      `SELECT ${SUMMARY_COLUMNS}, ${KIND_SQL} AS kind FROM agents AS a
       WHERE a.session_id = ? AND (a.status = 'active'
         OR EXISTS (SELECT 1 FROM tasks WHERE context_id = a.agent_id)
         OR EXISTS (SELECT 1 FROM tasks WHERE from_agent_id = a.agent_id))
       ORDER BY a.rowid`,
    )
    .all(sessionId) as Agent[];
}

export function isRootDirector(db: Database, agentId: string): boolean {
  return (
    db.query("SELECT 1 AS found FROM sessions WHERE director_agent_id = ? LIMIT 1").get(agentId) !== null
  );
}

/**
 * Soft-deletes an agent and drops its placement, refusing root Directors and Administrators.
 * Returns whether a row changed (false = already deregistered).
 */
export function deregisterAgent(db: Database, agentId: string): boolean {
  return db
    .transaction((): boolean => {
      if (isRootDirector(db, agentId))
        throw new UsageError(
          "cannot deregister the root Director; use 'cafleet session delete' instead.",
        ).withCode("root_director_protected");
      const kind = db.query(`SELECT ${KIND_SQL} AS kind FROM agents WHERE agent_id = ?`).get(agentId) as {
        kind: AgentKind;
      } | null;
      if (kind?.kind === "builtin-administrator")
        throw new RuleError("Administrator cannot be deregistered", 409).withCode("administrator_protected");
      const changed =
        db
          .query(
            "UPDATE agents SET status = 'deregistered', deregistered_at = ? WHERE agent_id = ? AND status = 'active'",
          )
          .run(nowIso(), agentId).changes > 0;
      if (changed) db.query("DELETE FROM agent_placements WHERE agent_id = ?").run(agentId);
      return changed;
    })
    .immediate();
}

export type Member = AgentSummary & { placement: Placement };

export function listMembers(db: Database, sessionId: string, directorId: string): Member[] {
  const rows = db
    .query(
      `SELECT a.agent_id, a.name, a.description, a.status, a.registered_at,
              p.director_agent_id, p.tmux_session, p.tmux_window_id, p.tmux_pane_id, p.coding_agent, p.created_at
       FROM agents AS a JOIN agent_placements AS p ON p.agent_id = a.agent_id
       WHERE a.session_id = ? AND a.status = 'active' AND p.director_agent_id = ?
       ORDER BY a.rowid`,
    )
    .all(sessionId, directorId) as (AgentSummary & Placement)[];
  return rows.map(({ agent_id, name, description, status, registered_at, ...placement }) => ({
    agent_id,
    name,
    description,
    status,
    registered_at,
    placement,
  }));
}
