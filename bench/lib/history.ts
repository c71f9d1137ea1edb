import type { Database } from "bun:sqlite";
import { agentCard } from "../../src/broker/agents.ts";
import { insertThenIndex } from "./bulk-index.ts";

/**
 * Fills a database with sessions of agents and their traffic by direct bulk INSERTs in one
 * transaction (the CLI would take hours): `sessions` × `agentsPerSession` agents, each session
 * with `tasksPerSession` deliveries, a tenth of them broadcasts' summaries, most of them acked,
 * timestamps spread over the past months so new traffic lands after all of it. The search index
 * is filled once at the end (bench/lib/bulk-index.ts).
 */
export type HistoryShape = { sessions: number; agentsPerSession: number; tasksPerSession: number };

export type SeededSession = { sessionId: string; agentIds: string[] };

const DAY_MS = 86_400_000;

function iso(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 23)}000+00:00`;
}

export function seedHistory(db: Database, shape: HistoryShape, monthsBack = 3): SeededSession[] {
  const insertSession = db.query(
    "INSERT INTO sessions (session_id, label, created_at, deleted_at, director_agent_id) VALUES (?, ?, ?, NULL, ?)",
  );
  const insertAgent = db.query(
    `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, deregistered_at, agent_card_json)
     VALUES (?, ?, ?, ?, 'active', ?, NULL, ?)`,
  );
  const insertTask = db.query(
    `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state,
                        status_timestamp, origin_task_id, task_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const seeded: SeededSession[] = [];
  const end = Date.now() - 60_000;
  const start = end - monthsBack * 30 * DAY_MS;
  const total = shape.sessions * shape.tasksPerSession;
  db.transaction(() => {
    db.run("PRAGMA defer_foreign_keys = ON");
    for (let s = 0; s < shape.sessions; s++) {
      const sessionId = crypto.randomUUID();
      const agentIds = Array.from({ length: shape.agentsPerSession }, () => crypto.randomUUID());
      insertSession.run(sessionId, `history ${s}`, iso(start + s), agentIds[0]!);
      agentIds.forEach((agentId, index) => {
        const name = index === 0 ? "Director" : `agent-${index}`;
        insertAgent.run(
          agentId,
          sessionId,
          name,
          `history agent ${index}`,
          iso(start + s),
          agentCard(name, "d", []),
        );
      });
      seeded.push({ sessionId, agentIds });
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
        const state = summary ? "completed" : n % 13 === 0 ? "input_required" : "completed";
        const task = {
          id,
          contextId: summary ? from : to,
          status: { state, timestamp: at },
          artifacts: [
            {
              artifactId: crypto.randomUUID(),
              parts: [{ kind: "text", text: `history message ${n}: ${"lorem ipsum ".repeat(8)}` }],
            },
          ],
          metadata: summary
            ? {
                fromAgentId: from,
                type: "broadcast_summary",
                recipientCount: 0,
                recipientIds: [],
                originTaskId: id,
              }
            : { fromAgentId: from, toAgentId: to, type: "unicast" },
          history: [],
        };
        insertTask.run(
          id,
          task.contextId,
          from,
          summary ? "" : to,
          summary ? "broadcast_summary" : "unicast",
          at,
          state,
          at,
          summary ? id : null,
          JSON.stringify(task),
        );
      }
    });
  }).immediate();
  return seeded;
}
