/**
 * The PostgreSQL store beside SQLite's (a private cluster on loopback, test/support/postgres.ts):
 * the CLI's poll and send on the same fixture in each (target: within 3× of SQLite), how soon a
 * `poll --wait` wakes after a commit (LISTEN/NOTIFY; target ≤ 50 ms), how soon a send on one host
 * reaches a member's pane on another through that host's relay (target ≤ 500 ms), and the same 16
 * concurrent writers (concurrent-writers.ts) on each store.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../src/broker/agents.ts";
import { sendUnicast } from "../src/broker/tasks.ts";
import type { Backend } from "../test/support/backends.ts";
import { MemberHarness } from "../test/tmux/harness.ts";
import { concurrentWriters } from "./concurrent-writers.ts";
import { createTeam, makeWorkspace, openWorkspaceDb, type Workspace } from "./lib/fixture.ts";
import { BINARY, mustRun } from "./lib/run.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const INBOX_SIZE = 1000;
const RATIO_TARGET = 3;
const WAKE_TARGET_MS = 50;
const CROSS_HOST_TARGET_MS = 500;

type Fixture = { workspace: Workspace; sessionId: string; sender: string; reader: string; sink: string };

function seed(backend: Backend): Fixture {
  const workspace = makeWorkspace(`pg-${backend}`, backend);
  const db = openWorkspaceDb(workspace);
  const team = createTeam(db, 3);
  const [sender, reader, sink] = team.agentIds as [string, string, string];
  for (let index = 0; index < INBOX_SIZE; index++)
    sendUnicast(db, {
      sessionId: team.sessionId,
      fromAgentId: sender,
      toAgentId: reader,
      text: `message ${index}`,
    });
  db.close();
  return { workspace, sessionId: team.sessionId, sender, reader, sink };
}

/** poll and send on both stores, round-robin so load from elsewhere hits every case alike. */
function cliRows(fixtures: Record<Backend, Fixture>): Row[] {
  const runs = sized(30, 10);
  const cases = (["poll", "send"] as const).flatMap((command) =>
    (["sqlite", "postgres"] as const).map((backend) => {
      const { workspace, sessionId, sender, reader, sink } = fixtures[backend];
      const cli = [BINARY, "--session-id", sessionId];
      const argv =
        command === "poll"
          ? [...cli, "poll", "--agent-id", reader]
          : [...cli, "send", "--agent-id", sender, "--to", sink, "--text", "hi"];
      return { command, backend, argv, env: workspace.env, wall: [] as number[] };
    }),
  );
  for (const testCase of cases) mustRun(testCase.argv, testCase.env);
  for (let run = 0; run < runs; run++)
    for (const testCase of cases) testCase.wall.push(mustRun(testCase.argv, testCase.env).wallMs);
  return cases.map((testCase) => {
    const value = median(testCase.wall);
    const sqlite = median(cases.find((c) => c.command === testCase.command && c.backend === "sqlite")!.wall);
    const measure = `${testCase.command}${testCase.command === "poll" ? `, inbox of ${INBOX_SIZE}` : ""} [${testCase.backend}] (median of ${runs})`;
    return testCase.backend === "sqlite"
      ? { figure: "PostgreSQL store", measure, value, unit: "ms", target: "report", holds: null }
      : {
          figure: "PostgreSQL store",
          measure,
          value,
          unit: "ms",
          floor: sqlite,
          target: `≤ ${RATIO_TARGET}× SQLite`,
          holds: value / sqlite <= RATIO_TARGET,
        };
  });
}

/** From a send's commit (in this process) to the exit of the `poll --wait` it woke. */
async function wakeRow(fixture: Fixture, backend: Backend): Promise<Row> {
  const rounds = sized(15, 5);
  const { workspace, sessionId, sender } = fixture;
  const db = openWorkspaceDb(workspace);
  const waiter = registerAgent(db, { sessionId, name: "waiter", description: "d", skills: [] }).agent_id;
  const wakes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const proc = Bun.spawn(
      [BINARY, "--session-id", sessionId, "poll", "--agent-id", waiter, "--new", "--wait", "10"],
      { env: workspace.env, stdout: "pipe", stderr: "pipe" },
    );
    // Long enough for the poll to start and wait (a PostgreSQL command starts in well under this).
    await Bun.sleep(700);
    sendUnicast(db, { sessionId, fromAgentId: sender, toAgentId: waiter, text: `wake ${round}` });
    const committed = performance.now();
    await proc.exited;
    wakes.push(performance.now() - committed);
  }
  db.close();
  const value = median(wakes);
  return {
    figure: "PostgreSQL store",
    measure: `poll --wait wake-up after a commit [${backend}] (median of ${rounds})`,
    value,
    unit: "ms",
    target: backend === "postgres" ? `≤ ${WAKE_TARGET_MS} ms` : "report",
    holds: backend === "postgres" ? value <= WAKE_TARGET_MS : null,
    note: "includes the woken process printing and exiting",
  };
}

/**
 * Two hosts on one machine (two tmux servers, CAFLEET_HOST host-a and host-b) on one PostgreSQL
 * database: a send on A to a member whose pane is on B, until the poll line is in B's pane.
 */
async function crossHostRow(): Promise<Row> {
  const rounds = sized(15, 5);
  const { url } = (await import("../test/support/postgres.ts")).freshPostgresDatabase();
  const hostA = new MemberHarness("bench-host-a");
  const hostB = new MemberHarness("bench-host-b");
  try {
    const envA = { CAFLEET_DATABASE_URL: url, CAFLEET_HOST: "host-a" };
    const envB = { CAFLEET_DATABASE_URL: url, CAFLEET_HOST: "host-b" };
    const created = JSON.parse(hostA.run(["session", "create", "--json"], envA).stdout);
    const session = {
      sessionId: created.session_id as string,
      directorId: created.director.agent_id as string,
      administratorId: created.administrator_agent_id as string,
    };
    const member = JSON.parse(
      hostB.run(["--json", ...hostB.memberCreateArgs(session, "Remote")], envB).stdout,
    );
    const pane = member.placement.tmux_pane_id as string;
    await hostB.waitForReady(pane);
    const input = join(hostB.dir, `${pane}.input`);
    const lines = () => (existsSync(input) ? readFileSync(input, "utf8").split("\n").length - 1 : 0);
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = lines();
      const args = ["--session-id", session.sessionId, "send", "--agent-id", session.directorId];
      const sent = hostA.run([...args, "--to", member.agent_id, "--text", `across ${round}`], envA);
      if (sent.exitCode !== 0) throw new Error(`send failed: ${sent.stderr}`);
      const exited = performance.now();
      while (lines() === before && performance.now() - exited < 5000) await Bun.sleep(2);
      latencies.push(performance.now() - exited);
      // The member "polls": what it was sent is fetched, so the next round's line is its own.
      hostB.run(["--session-id", session.sessionId, "poll", "--agent-id", member.agent_id, "--new"], envB);
    }
    const value = median(latencies);
    return {
      figure: "PostgreSQL store",
      measure: `cross-host push: send on host A → line in host B's pane (median of ${rounds})`,
      value,
      unit: "ms",
      target: `≤ ${CROSS_HOST_TARGET_MS} ms`,
      holds: value <= CROSS_HOST_TARGET_MS,
      note: "from the send's exit; B's relay reads the pane twice (120 ms apart) before it types, as every push does",
    };
  } finally {
    hostA.dispose();
    hostB.dispose();
  }
}

export async function postgresFigures(): Promise<Row[]> {
  const fixtures = { sqlite: seed("sqlite"), postgres: seed("postgres") };
  try {
    const rows = cliRows(fixtures);
    for (const backend of ["sqlite", "postgres"] as const)
      rows.push(await wakeRow(fixtures[backend], backend));
    rows.push(await crossHostRow());
    // The same 16 writers on both stores, at a size PostgreSQL finishes in about two minutes.
    const size = { unicasts: sized(60, 20), broadcasts: sized(6, 2) };
    for (const backend of ["sqlite", "postgres"] as const)
      rows.push(...(await concurrentWriters(backend, size, `concurrent writers [${backend}]`)));
    return rows;
  } finally {
    fixtures.sqlite.workspace.dispose();
    fixtures.postgres.workspace.dispose();
  }
}
