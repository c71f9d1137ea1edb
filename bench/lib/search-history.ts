import type { Database } from "../../src/store/database.ts";
import { seededRandom } from "../../test/reliability/support.ts";
import { messageBody } from "./bodies.ts";
import { insertThenIndex } from "./bulk-index.ts";
import { DAY_MS, historyRows, iso, type SeededSession } from "./history-rows.ts";

/**
 * A message history for the search figure, written by direct INSERTs in one transaction through
 * the real schema: `tasks` rows in total across
 * `sessions` sessions of `agentsPerSession` agents, the first session holding `mainShare` of
 * them, one message in twenty a broadcast (a summary and a delivery per peer), timestamps
 * rising with the rowid over the past three months.
 * The search index is filled once at the end (bench/lib/bulk-index.ts). Task ids are
 * time-ordered UUIDs, so the task_id index grows at its end instead of at random pages.
 */
export type SearchHistoryShape = {
  tasks: number;
  sessions: number;
  agentsPerSession: number;
  mainShare: number;
};

export function seedSearchHistory(db: Database, shape: SearchHistoryShape, seed = 1): SeededSession[] {
  const random = seededRandom(seed);
  const rows = historyRows(db);
  const end = Date.now() - 60_000;
  const start = end - 90 * DAY_MS;
  const sessions: SeededSession[] = [];
  db.transaction(() => {
    db.run("PRAGMA defer_foreign_keys = ON");
    for (let s = 0; s < shape.sessions; s++) {
      sessions.push(rows.session("search", s, shape.agentsPerSession, iso(start)));
    }
    const write = (
      id: string,
      contextId: string,
      from: string,
      to: string,
      at: string,
      text: string,
      origin: string | null,
      summary: boolean,
    ) => {
      const state = summary || random() < 0.9 ? "completed" : "input_required";
      const metadata = summary
        ? { fromAgentId: from, type: "broadcast_summary", originTaskId: origin }
        : { fromAgentId: from, toAgentId: to, type: "unicast", ...(origin ? { originTaskId: origin } : {}) };
      rows.task({
        id,
        contextId,
        from,
        to: summary ? "" : to,
        type: summary ? "broadcast_summary" : "unicast",
        at,
        state,
        origin,
        text,
        metadata,
      });
    };
    let written = 0;
    insertThenIndex(db, () => {
      while (written < shape.tasks) {
        const session =
          random() < shape.mainShare
            ? sessions[0]!
            : sessions[1 + Math.floor(random() * (shape.sessions - 1))]!;
        const agents = session.agentIds;
        const from = agents[Math.floor(random() * agents.length)]!;
        const at = iso(start + Math.floor(((end - start) * written) / shape.tasks));
        const text = messageBody(random);
        if (random() < 0.05) {
          const summaryId = Bun.randomUUIDv7();
          const peers = agents.filter((agent) => agent !== from);
          for (const peer of peers) write(Bun.randomUUIDv7(), peer, from, peer, at, text, summaryId, false);
          write(
            summaryId,
            from,
            from,
            "",
            at,
            `Broadcast sent to ${peers.length} recipients`,
            summaryId,
            true,
          );
          written += peers.length + 1;
        } else {
          let to = agents[Math.floor(random() * agents.length)]!;
          if (to === from) to = agents[(agents.indexOf(from) + 1) % agents.length]!;
          write(Bun.randomUUIDv7(), to, from, to, at, text, null, false);
          written++;
        }
      }
    });
  }).immediate();
  return sessions;
}
