import { NotFoundError } from "../errors.ts";
import type { SessionListing } from "../server/model.ts";
import type { Database } from "../store/database.ts";
import { agentCard, insertAgent, insertPlacement, type Placement } from "./agents.ts";
import { recordPaneServer } from "./pane-address.ts";
import { nowIso } from "./time.ts";

/** The calling pane, its tmux server and the REPL found in its process ancestry. */
export type TmuxContext = {
  session: string;
  windowId: string;
  paneId: string;
  server?: string | null;
  repl?: string;
};

export type CreatedSession = {
  session_id: string;
  label: string | null;
  created_at: string;
  administrator_agent_id: string;
  director: {
    agent_id: string;
    name: string;
    description: string;
    registered_at: string;
    placement: Placement;
  };
};

const DIRECTOR_NAME = "Director";
const DIRECTOR_DESCRIPTION = "Root Director for this session";

/** The five bootstrap writes of a session, in one transaction with one timestamp. */
export function createSession(db: Database, label: string | null, tmux: TmuxContext): CreatedSession {
  return db
    .transaction((): CreatedSession => {
      const now = nowIso();
      const sessionId = crypto.randomUUID();
      const directorId = crypto.randomUUID();
      const administratorId = crypto.randomUUID();
      db.query(
        "INSERT INTO sessions (session_id, label, created_at, deleted_at, director_agent_id) VALUES (?, ?, ?, NULL, NULL)",
      ).run(sessionId, label, now);
      insertAgent(db, {
        agentId: directorId,
        sessionId,
        name: DIRECTOR_NAME,
        description: DIRECTOR_DESCRIPTION,
        card: agentCard(DIRECTOR_NAME, DIRECTOR_DESCRIPTION, []),
        now,
      });
      const placement: Placement = {
        director_agent_id: null,
        tmux_session: tmux.session,
        tmux_window_id: tmux.windowId,
        tmux_pane_id: tmux.paneId,
        coding_agent: "unknown",
        created_at: now,
      };
      insertPlacement(db, directorId, placement);
      recordPaneServer(db, directorId, tmux.server ?? null, tmux.repl ?? "unknown");
      db.query("UPDATE sessions SET director_agent_id = ? WHERE session_id = ?").run(directorId, sessionId);
      const administratorDescription = `Built-in administrator agent for session ${sessionId.slice(0, 8)}`;
      insertAgent(db, {
        agentId: administratorId,
        sessionId,
        name: "Administrator",
        description: administratorDescription,
        card: JSON.stringify({
          name: "Administrator",
          description: administratorDescription,
          skills: [],
          cafleet: { kind: "builtin-administrator" },
        }),
        now,
      });
      return {
        session_id: sessionId,
        label,
        created_at: now,
        administrator_agent_id: administratorId,
        director: {
          agent_id: directorId,
          name: DIRECTOR_NAME,
          description: DIRECTOR_DESCRIPTION,
          registered_at: now,
          placement,
        },
      };
    })
    .immediate();
}

/** Live sessions, oldest first; each count reads only the (session_id, status) index. */
export function listSessions(db: Database): SessionListing[] {
  return db
    .query(
      `SELECT s.session_id, s.label, s.created_at,
         (SELECT COUNT(*) FROM agents AS a WHERE a.session_id = s.session_id AND a.status = 'active') AS agent_count
       FROM sessions AS s
       WHERE s.deleted_at IS NULL
       ORDER BY s.created_at, s.rowid`,
    )
    .all() as SessionListing[];
}

export type SessionRow = {
  session_id: string;
  label: string | null;
  created_at: string;
  deleted_at: string | null;
  director_agent_id: string | null;
};

export function findSession(db: Database, sessionId: string): SessionRow | null {
  return db
    .query(
      "SELECT session_id, label, created_at, deleted_at, director_agent_id FROM sessions WHERE session_id = ?",
    )
    .get(sessionId) as SessionRow | null;
}

export function showSession(db: Database, sessionId: string): SessionRow {
  const session = findSession(db, sessionId);
  if (!session) throw new NotFoundError(`session '${sessionId}' not found.`).withCode("session_missing");
  return session;
}

/** Soft-deletes a session and deregisters its agents; returns how many were active (0 on a re-run). */
export function deleteSession(db: Database, sessionId: string): number {
  return db
    .transaction((): number => {
      showSession(db, sessionId);
      const now = nowIso();
      const marked = db
        .query("UPDATE sessions SET deleted_at = ? WHERE session_id = ? AND deleted_at IS NULL")
        .run(now, sessionId).changes;
      if (marked === 0) return 0;
      const deregistered = db
        .query(
          "UPDATE agents SET status = 'deregistered', deregistered_at = ? WHERE session_id = ? AND status = 'active'",
        )
        .run(now, sessionId).changes;
      db.query(
        "DELETE FROM agent_placements WHERE agent_id IN (SELECT agent_id FROM agents WHERE session_id = ?)",
      ).run(sessionId);
      return deregistered;
    })
    .immediate();
}
