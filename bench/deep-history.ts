/**
 * Deep history: the commands and pages a team uses all day — poll, agents, session list, the
 * timeline and the session list API — timed on a database holding months of traffic (1,000,000
 * tasks in 100 sessions of 50 agents) against the same calls on an empty one (one session of 50
 * agents with a page of traffic). The polled agent has the same 20 messages in both, and the
 * timeline's session returns a full page in both, so only the surrounding history differs.
 * EXPLAIN QUERY PLAN of every query those calls make must show no full scan of tasks or agents.
 */
import { listActiveAgents, listSessionAgentsForUi, registerAgent } from "../src/broker/agents.ts";
import { listSessions } from "../src/broker/sessions.ts";
import { listInboxLines, sendUnicast } from "../src/broker/tasks.ts";
import { listInboxMessages, listSentMessages, listTimelineMessages } from "../src/broker/timeline.ts";
import { startServer } from "../test/server/serve.ts";
import { makeWorkspace, openWorkspaceDb, type Workspace } from "./lib/fixture.ts";
import { type HistoryShape, seedHistory } from "./lib/history.ts";
import { openForBulk } from "./lib/history-rows.ts";
import { BINARY, mustRun } from "./lib/run.ts";
import { median, QUICK, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const TARGET = 2;
const PROBE_MESSAGES = 20;

type Prepared = { workspace: Workspace; sessionId: string; probeId: string; senderId: string; tasks: number };

/** Schema through the normal open, then bulk rows with the journal off: a fixture, not traffic. */
function prepare(prefix: string, shape: HistoryShape): Prepared {
  const workspace = makeWorkspace(prefix);
  openWorkspaceDb(workspace).close();
  const raw = openForBulk(workspace.dbPath);
  const seeded = seedHistory(raw, shape);
  raw.close();
  const db = openWorkspaceDb(workspace);
  const session = seeded[0]!;
  const senderId = session.agentIds[1]!;
  const probeId = registerAgent(db, {
    sessionId: session.sessionId,
    name: "probe",
    description: "p",
    skills: [],
  }).agent_id;
  for (let n = 0; n < PROBE_MESSAGES; n++)
    sendUnicast(db, {
      sessionId: session.sessionId,
      fromAgentId: senderId,
      toAgentId: probeId,
      text: `probe ${n}`,
    });
  const { tasks } = db.query("SELECT COUNT(*) AS tasks FROM tasks").get() as { tasks: number };
  db.close();
  return { workspace, sessionId: session.sessionId, probeId, senderId, tasks };
}

type Plan = { name: string; scans: string[]; detail: string };

/** Every statement a read makes, with its plan: a wrapper on db.query records the SQL. */
function queryPlans(prepared: Prepared): Plan[] {
  const db = openWorkspaceDb(prepared.workspace);
  const { sessionId, probeId, senderId } = prepared;
  const reads: [string, () => unknown][] = [
    ["poll", () => listInboxLines(db, probeId)],
    ["agents", () => listActiveAgents(db, sessionId)],
    ["session list", () => listSessions(db)],
    ["timeline", () => listTimelineMessages(db, sessionId)],
    [
      "timeline (live, since)",
      () => listTimelineMessages(db, sessionId, { since: new Date(0).toISOString() }),
    ],
    ["UI agents", () => listSessionAgentsForUi(db, sessionId)],
    ["UI inbox", () => listInboxMessages(db, probeId)],
    ["UI sent", () => listSentMessages(db, senderId)],
  ];
  const original = db.query.bind(db);
  const plans: Plan[] = [];
  for (const [name, read] of reads) {
    const statements: string[] = [];
    db.query = ((sql: string) => {
      statements.push(sql);
      return original(sql);
    }) as typeof db.query;
    read();
    db.query = original;
    const details = statements.flatMap((sql) =>
      (original(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail),
    );
    // A scan of sessions is the session list itself; a scan of tasks or agents grows with history.
    const scans = details.filter(
      (detail) => /^SCAN (tasks|agents|t|a|fa|ta)\b/.test(detail) && !/INDEX/.test(detail),
    );
    plans.push({ name, scans, detail: details.join("; ") });
  }
  db.close();
  return plans;
}

async function httpMedian(base: string, path: string, sessionId: string, runs: number): Promise<number> {
  const request = async () => {
    const response = await fetch(`${base}${path}`, { headers: { "x-session-id": sessionId } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    await response.arrayBuffer();
  };
  for (let n = 0; n < 5; n++) await request();
  const samples: number[] = [];
  for (let n = 0; n < runs; n++) {
    const started = performance.now();
    await request();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function deepHistory(): Promise<Row[]> {
  const runs = sized(30, 20);
  const deepShape = !QUICK
    ? { sessions: 100, agentsPerSession: 50, tasksPerSession: 10_000 }
    : { sessions: 20, agentsPerSession: 50, tasksPerSession: 5_000 };
  const seedStarted = performance.now();
  const empty = prepare("empty", { sessions: 1, agentsPerSession: 50, tasksPerSession: 400 });
  const deep = prepare("deep", deepShape);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  try {
    const rows: Row[] = [];
    const cli = (prepared: Prepared): Record<string, string[]> => ({
      poll: [BINARY, "--session-id", prepared.sessionId, "poll", "--agent-id", prepared.probeId],
      agents: [BINARY, "--session-id", prepared.sessionId, "agents", "--agent-id", prepared.probeId],
      "session list": [BINARY, "session", "list"],
    });
    const names = Object.keys(cli(empty));
    const samples = new Map<string, number[]>();
    for (const prepared of [empty, deep])
      for (const argv of Object.values(cli(prepared))) mustRun(argv, prepared.workspace.env);
    for (let run = 0; run < runs; run++)
      for (const name of names)
        for (const [label, prepared] of [
          ["empty", empty],
          ["deep", deep],
        ] as const) {
          const result = mustRun(cli(prepared)[name]!, prepared.workspace.env);
          const key = `${name}/${label}`;
          samples.set(key, [...(samples.get(key) ?? []), result.wallMs]);
        }
    for (const name of names) {
      const value = median(samples.get(`${name}/deep`)!);
      const floor = median(samples.get(`${name}/empty`)!);
      rows.push({
        figure: "deep history",
        measure: `cafleet ${name} (median of ${runs})`,
        value,
        unit: "ms",
        floor,
        target: `≤ ${TARGET}× empty DB`,
        holds: value / floor <= TARGET,
      });
    }

    const servers = [await startServer(empty.workspace.env), await startServer(deep.workspace.env)];
    try {
      for (const path of ["/ui/api/timeline", "/ui/api/sessions"]) {
        const floor = await httpMedian(servers[0]!.base, path, empty.sessionId, runs * 2);
        const value = await httpMedian(servers[1]!.base, path, deep.sessionId, runs * 2);
        rows.push({
          figure: "deep history",
          measure: `GET ${path} (median of ${runs * 2})`,
          value,
          unit: "ms",
          floor,
          target: `≤ ${TARGET}× empty DB`,
          holds: value / floor <= TARGET,
          note: path.endsWith("sessions")
            ? `lists every live session: ${deepShape.sessions} rows against 1 on the empty DB`
            : undefined,
        });
      }
    } finally {
      for (const server of servers) await server.stop();
    }

    const plans = queryPlans(deep);
    const scanning = plans.filter((plan) => plan.scans.length > 0);
    rows.push({
      figure: "deep history",
      measure: "full scans of tasks/agents in query plans",
      value: scanning.length,
      unit: "",
      target: "0 (index use)",
      holds: scanning.length === 0,
      note:
        scanning.length === 0
          ? `${plans.length} reads checked: ${plans.map((plan) => plan.name).join(", ")}`
          : scanning.map((plan) => `${plan.name}: ${plan.scans.join(", ")}`).join("; "),
    });
    rows[0]!.note = `${deep.tasks} tasks in ${deepShape.sessions} sessions vs ${empty.tasks}; seeded in ${seedSeconds.toFixed(0)} s`;
    return rows;
  } finally {
    empty.workspace.dispose();
    deep.workspace.dispose();
  }
}
