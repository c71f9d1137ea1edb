import type { Database } from "bun:sqlite";
import { agentCard } from "../../src/broker/agents.ts";
import { messageBody, seededRandom } from "./bodies.ts";

/**
 * A message history for the search figure, written by direct INSERTs in one transaction through
 * the real schema: `tasks` rows in total across
 * `sessions` sessions of `agentsPerSession` agents, the first session holding `mainShare` of
 * them, one message in twenty a broadcast (a summary and a delivery per peer), timestamps
 * rising with the rowid over the past three months.
 *
 * The insert trigger is set aside while the rows go in and the index is filled at the end the way
 * version 6's migration fills it: FTS5 flushes its pending terms at every statement savepoint, and
 * a trigger runs inside one per row (about 0.1 ms a row: minutes for a million). Task ids are
 * time-ordered UUIDs, so the task_id index grows at its end instead of at random pages.
 */
export type SearchHistoryShape = {
  tasks: number;
  sessions: number;
  agentsPerSession: number;
  mainShare: number;
};

export type SearchSession = { sessionId: string; agentIds: string[] };

const DAY_MS = 86_400_000;

function iso(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 23)}000+00:00`;
}

export function seedSearchHistory(db: Database, shape: SearchHistoryShape, seed = 1): SearchSession[] {
  const random = seededRandom(seed);
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
  const end = Date.now() - 60_000;
  const start = end - 90 * DAY_MS;
  const sessions: SearchSession[] = [];
  db.transaction(() => {
    db.run("PRAGMA defer_foreign_keys = ON");
    const trigger = db
      .query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'message_search_insert'")
      .get() as { sql: string };
    db.run("DROP TRIGGER message_search_insert");
    for (let s = 0; s < shape.sessions; s++) {
      const sessionId = crypto.randomUUID();
      const agentIds = Array.from({ length: shape.agentsPerSession }, () => crypto.randomUUID());
      insertSession.run(sessionId, `search ${s}`, iso(start), agentIds[0]!);
      agentIds.forEach((agentId, index) => {
        const name = index === 0 ? "Director" : `agent-${index}`;
        insertAgent.run(
          agentId,
          sessionId,
          name,
          `search agent ${index}`,
          iso(start),
          agentCard(name, "d", []),
        );
      });
      sessions.push({ sessionId, agentIds });
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
      const task = {
        id,
        contextId,
        status: { state, timestamp: at },
        artifacts: [{ artifactId: crypto.randomUUID(), parts: [{ kind: "text", text }] }],
        metadata,
        history: [],
      };
      insertTask.run(
        id,
        contextId,
        from,
        summary ? "" : to,
        summary ? "broadcast_summary" : "unicast",
        at,
        state,
        at,
        origin,
        JSON.stringify(task),
      );
    };
    let written = 0;
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
        write(summaryId, from, from, "", at, `Broadcast sent to ${peers.length} recipients`, summaryId, true);
        written += peers.length + 1;
      } else {
        let to = agents[Math.floor(random() * agents.length)]!;
        if (to === from) to = agents[(agents.indexOf(from) + 1) % agents.length]!;
        write(Bun.randomUUIDv7(), to, from, to, at, text, null, false);
        written++;
      }
    }
    db.run("INSERT INTO message_search (rowid, body) SELECT task_rowid, body FROM message_bodies");
    db.run(trigger.sql);
  }).immediate();
  return sessions;
}
