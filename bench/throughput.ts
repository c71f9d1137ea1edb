/**
 * Broker throughput in-process: MESSAGES deliveries through the broker functions — sendUnicast,
 * then each recipient polls what changed since its last poll and acks its unread ones — against
 * the floor: plain prepared INSERTs of the same rows (same columns, same task_json) into the
 * same schema, one autocommit statement per row, like the broker's one transaction per send.
 */
import type { Database } from "bun:sqlite";
import { ackTask, listInbox, sendUnicast, type Task } from "../src/broker/tasks.ts";
import { createTeam, makeWorkspace, openWorkspaceDb, type Workspace } from "./lib/fixture.ts";
import { sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const RECIPIENTS = 100;
const TARGET = 0.5;

function brokerRun(workspace: Workspace, messages: number): { seconds: number; tasks: Task[] } {
  const db = openWorkspaceDb(workspace);
  const team = createTeam(db, RECIPIENTS);
  const { sessionId, directorId } = team;
  const cursors = new Map<string, string | undefined>();
  const tasks: Task[] = [];
  let acked = 0;
  const perRound = RECIPIENTS * 10;
  const started = performance.now();
  for (let sent = 0; sent < messages; sent += perRound) {
    for (let index = 0; index < perRound && sent + index < messages; index++) {
      const toAgentId = team.agentIds[index % RECIPIENTS]!;
      tasks.push(
        sendUnicast(db, { sessionId, fromAgentId: directorId, toAgentId, text: `message ${sent + index}` }),
      );
    }
    for (const agentId of team.agentIds) {
      const since = cursors.get(agentId);
      const inbox = listInbox(db, agentId, since === undefined ? {} : { since });
      if (inbox[0]) cursors.set(agentId, inbox[0].status.timestamp);
      for (const task of inbox)
        if (task.status.state === "input_required") {
          ackTask(db, { sessionId, agentId, taskId: task.id });
          acked++;
        }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  if (acked !== messages) throw new Error(`throughput: acked ${acked} of ${messages}`);
  return { seconds, tasks };
}

function floorRun(db: Database, tasks: Task[]): number {
  const insert = db.query(
    `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at,
                        status_state, status_timestamp, origin_task_id, task_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const started = performance.now();
  for (const task of tasks)
    insert.run(
      task.id,
      task.contextId,
      task.metadata.fromAgentId,
      task.metadata.toAgentId ?? "",
      task.metadata.type,
      task.status.timestamp,
      task.status.state,
      task.status.timestamp,
      null,
      JSON.stringify(task),
    );
  return (performance.now() - started) / 1000;
}

export async function throughput(): Promise<Row[]> {
  const messages = sized(100_000, 10_000);
  const brokerSpace = makeWorkspace("throughput");
  const floorSpace = makeWorkspace("throughput-floor");
  try {
    const { seconds, tasks } = brokerRun(brokerSpace, messages);
    const floorDb = openWorkspaceDb(floorSpace);
    // The same agents, so the foreign key holds and is checked as in the broker run.
    const team = createTeam(floorDb, RECIPIENTS);
    const renamed = new Map<string, string>();
    for (const task of tasks) {
      if (!renamed.has(task.contextId))
        renamed.set(task.contextId, team.agentIds[renamed.size % RECIPIENTS]!);
      task.contextId = renamed.get(task.contextId)!;
    }
    const floorSeconds = floorRun(floorDb, tasks);
    floorDb.close();
    const value = messages / seconds;
    const floor = messages / floorSeconds;
    return [
      {
        figure: "broker throughput",
        measure: `send+poll+ack of ${messages} messages`,
        value,
        unit: "msg/s",
        floor,
        target: `≥ ${TARGET}× floor`,
        holds: value / floor >= TARGET,
        note: `${seconds.toFixed(2)} s vs ${floorSeconds.toFixed(2)} s of plain INSERTs`,
      },
    ];
  } finally {
    brokerSpace.dispose();
    floorSpace.dispose();
  }
}
