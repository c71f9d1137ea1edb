import type { Database } from "../../src/store/database.ts";
import { insertThenIndex } from "./bulk-index.ts";
import { DAY_MS, historyRows, iso, type SeededSession } from "./history-rows.ts";

export type { SeededSession } from "./history-rows.ts";

/**
 * Fills a database with sessions of agents and their traffic by direct bulk INSERTs in one
 * transaction (the CLI would take hours): `sessions` × `agentsPerSession` agents, each session
 * with `tasksPerSession` deliveries, a tenth of them broadcasts' summaries, most of them acked,
 * timestamps spread over the past months so new traffic lands after all of it. The search index
 * is filled once at the end (bench/lib/bulk-index.ts).
 */
export type HistoryShape = { sessions: number; agentsPerSession: number; tasksPerSession: number };

export function seedHistory(db: Database, shape: HistoryShape, monthsBack = 3): SeededSession[] {
  const rows = historyRows(db);
  const seeded: SeededSession[] = [];
  const end = Date.now() - 60_000;
  const start = end - monthsBack * 30 * DAY_MS;
  const total = shape.sessions * shape.tasksPerSession;
  db.transaction(() => {
    db.run("PRAGMA defer_foreign_keys = ON");
    for (let s = 0; s < shape.sessions; s++) {
      seeded.push(rows.session("history", s, shape.agentsPerSession, iso(start + s)));
    }
    // Sessions interleave in time, as concurrent teams' traffic does.
    insertThenIndex(db, () => {
      for (let n = 0; n < total; n++) {
        const session = seeded[n % shape.sessions]!;
        const round = Math.floor(n / shape.sessions);
        const from = session.agentIds[round % shape.agentsPerSession]!;
        const to = session.agentIds[(round + 1 + (n % 7)) % shape.agentsPerSession]!;
        const at = iso(start + Math.floor(((end - start) * n) / total));
        const summary = n % 10 === 9;
        const id = crypto.randomUUID();
        rows.task({
          id,
          contextId: summary ? from : to,
          from,
          to: summary ? "" : to,
          type: summary ? "broadcast_summary" : "unicast",
          at,
          state: summary ? "completed" : n % 13 === 0 ? "input_required" : "completed",
          origin: summary ? id : null,
          text: `history message ${n}: ${"lorem ipsum ".repeat(8)}`,
          metadata: summary
            ? {
                fromAgentId: from,
                type: "broadcast_summary",
                recipientCount: 0,
                recipientIds: [],
                originTaskId: id,
              }
            : { fromAgentId: from, toAgentId: to, type: "unicast" },
        });
      }
    });
  }).immediate();
  return seeded;
}
