import { agentCard } from "../../src/broker/agents.ts";
import type { Database } from "../../src/store/database.ts";

/**
 * A fixed inbox (fixed ids, timestamps and texts) written row by row, so `poll`'s output on it
 * can be compared byte for byte with files recorded once (test/fixtures/poll-golden/).
 */

export const GOLDEN = {
  sessionId: "00000000-0000-4000-8000-000000000001",
  directorId: "00000000-0000-4000-8000-0000000000d1",
  aliceId: "00000000-0000-4000-8000-0000000000a1",
  bobId: "00000000-0000-4000-8000-0000000000b1",
  /** The status_timestamp of the third delivery to bob: `--since` keeps what changed after it. */
  since: "2026-04-16T08:50:03.000000+00:00",
};

/** The plain polls whose output was recorded, each as argv after `--session-id`. */
export const GOLDEN_CASES: { name: string; args: string[] }[] = [
  { name: "text", args: ["poll", "--agent-id", GOLDEN.bobId] },
  { name: "json", args: ["--json", "poll", "--agent-id", GOLDEN.bobId] },
  { name: "since", args: ["poll", "--agent-id", GOLDEN.bobId, "--since", GOLDEN.since] },
  { name: "page-size", args: ["poll", "--agent-id", GOLDEN.bobId, "--page-size", "2"] },
  {
    name: "json-since-page-size",
    args: ["--json", "poll", "--agent-id", GOLDEN.bobId, "--since", GOLDEN.since, "--page-size", "1"],
  },
  { name: "empty", args: ["poll", "--agent-id", GOLDEN.directorId] },
];

type Row = {
  id: string;
  to: string;
  from: string;
  state: string;
  at: string;
  text: string;
  type?: "unicast" | "broadcast_summary";
  origin?: string;
  fetched?: boolean;
};

const SUMMARY = "00000000-0000-4000-8000-0000000005a1";

const ROWS: Row[] = [
  {
    id: "00000000-0000-4000-8000-000000000101",
    to: GOLDEN.bobId,
    from: GOLDEN.aliceId,
    state: "completed",
    at: "2026-04-16T08:50:01.000000+00:00",
    text: "first, acked",
    fetched: true,
  },
  {
    id: "00000000-0000-4000-8000-000000000102",
    to: GOLDEN.bobId,
    from: GOLDEN.directorId,
    state: "input_required",
    at: "2026-04-16T08:50:02.000000+00:00",
    text: 'line one\nline "two" 日本語 🎉\ttab',
  },
  {
    id: "00000000-0000-4000-8000-000000000103",
    to: GOLDEN.bobId,
    from: GOLDEN.aliceId,
    state: "canceled",
    at: "2026-04-16T08:50:03.000000+00:00",
    text: "retracted",
  },
  {
    id: "00000000-0000-4000-8000-000000000104",
    to: GOLDEN.bobId,
    from: GOLDEN.aliceId,
    state: "input_required",
    at: "2026-04-16T08:50:04.000000+00:00",
    text: "broadcast copy",
    origin: SUMMARY,
  },
  {
    id: SUMMARY,
    to: GOLDEN.aliceId,
    from: GOLDEN.aliceId,
    state: "completed",
    at: "2026-04-16T08:50:04.000000+00:00",
    text: "Broadcast sent to 2 recipients",
    type: "broadcast_summary",
    origin: SUMMARY,
  },
  // Same timestamp as the next one: the most recently inserted comes first.
  {
    id: "00000000-0000-4000-8000-000000000105",
    to: GOLDEN.bobId,
    from: GOLDEN.aliceId,
    state: "input_required",
    at: "2026-04-16T08:50:05.000000+00:00",
    text: "",
  },
  {
    id: "00000000-0000-4000-8000-000000000106",
    to: GOLDEN.bobId,
    from: GOLDEN.bobId,
    state: "input_required",
    at: "2026-04-16T08:50:05.000000+00:00",
    text: "note to self",
  },
  {
    id: "00000000-0000-4000-8000-000000000107",
    to: GOLDEN.aliceId,
    from: GOLDEN.bobId,
    state: "input_required",
    at: "2026-04-16T08:50:06.000000+00:00",
    text: "not in bob's inbox",
  },
];

function taskJson(row: Row): string {
  const summary = row.type === "broadcast_summary";
  return JSON.stringify({
    id: row.id,
    contextId: row.to,
    status: { state: row.state, timestamp: row.at },
    artifacts: [{ artifactId: `${row.id.slice(0, -3)}fff`, parts: [{ kind: "text", text: row.text }] }],
    metadata: summary
      ? {
          fromAgentId: row.from,
          type: "broadcast_summary",
          recipientCount: 2,
          recipientIds: [GOLDEN.directorId, GOLDEN.bobId],
          originTaskId: row.id,
        }
      : {
          fromAgentId: row.from,
          toAgentId: row.to,
          type: "unicast",
          ...(row.origin === undefined ? {} : { originTaskId: row.origin }),
        },
    history: [],
  });
}

export function seedGoldenInbox(db: Database): void {
  const created = "2026-04-16T08:50:00.000000+00:00";
  db.transaction(() => {
    db.query("INSERT INTO sessions (session_id, label, created_at) VALUES (?, 'golden', ?)").run(
      GOLDEN.sessionId,
      created,
    );
    for (const [id, name] of [
      [GOLDEN.directorId, "Director"],
      [GOLDEN.aliceId, "alice"],
      [GOLDEN.bobId, "bob"],
    ] as const)
      db.query(
        `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json)
         VALUES (?, ?, ?, ?, 'active', ?, ?)`,
      ).run(id, GOLDEN.sessionId, name, `${name} agent`, created, agentCard(name, `${name} agent`, []));
    for (const row of ROWS)
      db.query(
        `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state,
                            status_timestamp, origin_task_id, task_json, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        row.to,
        row.from,
        row.type === "broadcast_summary" ? "" : row.to,
        row.type ?? "unicast",
        row.at,
        row.state,
        row.at,
        row.origin ?? null,
        taskJson(row),
        row.fetched ? row.at : null,
      );
  }).immediate();
}
