/**
 * Broker throughput in-process: MESSAGES deliveries through the broker functions — sendUnicast,
 * then each recipient polls what changed since its last poll and acks its unread ones — against
 * the floor: plain prepared INSERTs of the same rows (same columns, same task_json) into another
 * database of the same schema, one autocommit statement per row. The two alternate round by
 * round, so a burst of load from other processes on the machine hits both alike.
 */

import { ackTask, listInbox, sendUnicast, type Task } from "../src/broker/tasks.ts";
import type { Database } from "../src/store/database.ts";
import { createTeam, makeWorkspace, openWorkspaceDb, type Team } from "./lib/fixture.ts";
import { sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const RECIPIENTS = 100;
const PER_ROUND = RECIPIENTS * 10;
const TARGET = 0.5;

/** One round of the broker: PER_ROUND sends, then every recipient polls and acks. */
function brokerRound(db: Database, team: Team, first: number, count: number, cursors: Map<string, string>) {
  const sent: Task[] = [];
  let acked = 0;
  for (let index = 0; index < count; index++) {
    const toAgentId = team.agentIds[index % RECIPIENTS]!;
    sent.push(
      sendUnicast(db, {
        sessionId: team.sessionId,
        fromAgentId: team.directorId,
        toAgentId,
        text: `message ${first + index}`,
      }),
    );
  }
  for (const agentId of team.agentIds) {
    const since = cursors.get(agentId);
    const inbox = listInbox(db, agentId, since === undefined ? {} : { since });
    if (inbox[0]) cursors.set(agentId, inbox[0].status.timestamp);
    for (const task of inbox)
      if (task.status.state === "input_required") {
        ackTask(db, { sessionId: team.sessionId, agentId, taskId: task.id });
        acked++;
      }
  }
  return { sent, acked };
}

export async function throughput(): Promise<Row[]> {
  const messages = sized(100_000, 10_000);
  const brokerSpace = makeWorkspace("throughput");
  const floorSpace = makeWorkspace("throughput-floor");
  try {
    const db = openWorkspaceDb(brokerSpace);
    const team = createTeam(db, RECIPIENTS);
    const floorDb = openWorkspaceDb(floorSpace);
    // The same agents in the floor's database, so its foreign key holds and is checked too.
    const floorTeam = createTeam(floorDb, RECIPIENTS);
    const floorId = new Map<string, string>([[team.directorId, floorTeam.directorId]]);
    team.agentIds.forEach((agentId, index) => {
      floorId.set(agentId, floorTeam.agentIds[index]!);
    });
    const insert = floorDb.query(
      `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at,
                          status_state, status_timestamp, origin_task_id, task_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The least the contract needs per message: its row written, then its state changed.
    const update = floorDb.query(
      "UPDATE tasks SET status_state = 'completed', status_timestamp = ?, task_json = ? WHERE task_id = ?",
    );
    const cursors = new Map<string, string>();
    let brokerMs = 0;
    let floorMs = 0;
    let twoWritesMs = 0;
    let acked = 0;
    for (let first = 0; first < messages; first += PER_ROUND) {
      let started = performance.now();
      const round = brokerRound(db, team, first, Math.min(PER_ROUND, messages - first), cursors);
      brokerMs += performance.now() - started;
      acked += round.acked;
      started = performance.now();
      const floorMsBefore = floorMs;
      for (const task of round.sent) {
        const to = floorId.get(task.contextId)!;
        const from = floorId.get(task.metadata.fromAgentId)!;
        const row = {
          ...task,
          contextId: to,
          metadata: { ...task.metadata, fromAgentId: from, toAgentId: to },
        };
        insert.run(
          row.id,
          to,
          from,
          to,
          "unicast",
          task.status.timestamp,
          "input_required",
          task.status.timestamp,
          null,
          JSON.stringify(row),
        );
      }
      floorMs += performance.now() - started;
      started = performance.now();
      for (const task of round.sent) update.run(task.status.timestamp, JSON.stringify(task), task.id);
      twoWritesMs += performance.now() - started + (floorMs - floorMsBefore);
    }
    db.close();
    floorDb.close();
    if (acked !== messages) throw new Error(`throughput: acked ${acked} of ${messages}`);
    const value = messages / (brokerMs / 1000);
    const floor = messages / (floorMs / 1000);
    return [
      {
        figure: "broker throughput",
        measure: `send+poll+ack of ${messages} messages`,
        value,
        unit: "msg/s",
        floor,
        target: `≥ ${TARGET}× floor`,
        holds: value / floor >= TARGET,
        note: `${(brokerMs / 1000).toFixed(2)} s vs ${(floorMs / 1000).toFixed(2)} s of plain INSERTs; the broker commits twice per message (send, ack): against INSERT + UPDATE of each row (${(twoWritesMs / 1000).toFixed(2)} s) it runs at ${(twoWritesMs / brokerMs).toFixed(2)}×`,
      },
    ];
  } finally {
    brokerSpace.dispose();
    floorSpace.dispose();
  }
}
