import type { Database } from "../store/database.ts";
import { KIND_SQL } from "./agents.ts";
import { HELD_UNFETCHED_SQL } from "./delivery.ts";
import { deliverUnicast } from "./messaging.ts";
import { isoAt, millisOf, nowIso } from "./time.ts";

/**
 * A member whose pushes have been held for long is waiting on something only a person can
 * answer (a permission prompt, a question) or is stuck: its Director gets one message, from the
 * session's Administrator, naming the member and what its screen shows. The session's watcher
 * (supervision.ts) shares the mark: a member it already reported gets no hold report, and the
 * mark clears once the watcher sees the member back at its idle prompt.
 */

type LongHold = {
  member_id: string;
  member_name: string;
  director_id: string;
  since: string;
  reason: string;
};

function listLongHolds(db: Database, sessionId: string, cutoff: string): LongHold[] {
  return db
    .query(
      `SELECT m.agent_id AS member_id, m.name AS member_name, p.director_agent_id AS director_id,
              MIN(t.held_at) AS since, MAX(t.held_reason) AS reason
       FROM agents AS m
       JOIN agent_placements AS p ON p.agent_id = m.agent_id
         AND p.director_agent_id IS NOT NULL AND p.hold_reported_at IS NULL AND p.finding IS NULL AND p.pane_gone_at IS NULL
       JOIN tasks AS t ON t.context_id = m.agent_id AND ${HELD_UNFETCHED_SQL}
       WHERE m.session_id = ? AND m.status = 'active'
       GROUP BY m.agent_id HAVING MIN(t.held_at) <= ?`,
    )
    .all(sessionId, cutoff) as LongHold[];
}

export function administratorOf(db: Database, sessionId: string): string | null {
  const row = db
    .query(
      `SELECT agent_id FROM agents WHERE session_id = ? AND status = 'active' AND ${KIND_SQL} = 'builtin-administrator'`,
    )
    .get(sessionId) as { agent_id: string } | null;
  return row?.agent_id ?? null;
}

export function holdReportText(sessionId: string, hold: LongHold, minutes: number): string {
  return [
    `cafleet: member ${hold.member_name} (${hold.member_id}) has not been woken for ${minutes} min: its pane shows a ${hold.reason}.`,
    `Look at it with \`cafleet --session-id ${sessionId} member capture --agent-id ${hold.director_id} --member-id ${hold.member_id}\`.`,
  ].join("\n");
}

export async function reportLongHolds(db: Database, sessionId: string, thresholdMs: number): Promise<void> {
  const holds = listLongHolds(db, sessionId, isoAt(Date.now() - thresholdMs));
  if (holds.length === 0) return;
  const administrator = administratorOf(db, sessionId);
  if (!administrator) return;
  for (const hold of holds) {
    const claimed =
      db
        .query(
          "UPDATE agent_placements SET hold_reported_at = ? WHERE agent_id = ? AND hold_reported_at IS NULL",
        )
        .run(nowIso(), hold.member_id).changes > 0;
    if (!claimed) continue;
    const minutes = Math.max(1, Math.round((Date.now() - millisOf(hold.since)) / 60_000));
    await deliverUnicast(db, {
      sessionId,
      fromAgentId: administrator,
      toAgentId: hold.director_id,
      text: holdReportText(sessionId, hold, minutes),
    });
  }
}
