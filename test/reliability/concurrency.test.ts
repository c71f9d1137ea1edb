import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import { HEAD_VERSION } from "../../src/broker/schema.ts";
import { BACKENDS, type Backend } from "../support/backends.ts";
import { BINARY, type CliResult, ROOT } from "../support/cli.ts";
import { freshPostgresDatabase } from "../support/postgres.ts";
import {
  integrityProblems,
  knob,
  Sandbox,
  type Server,
  type SessionIds,
  seededRandom,
  seedFromEnv,
  startServer,
  tornTasks,
} from "./support.ts";

/**
 * 20 processes of the compiled binary at once (CAFLEET_RELIABILITY_PROCESSES) sending,
 * broadcasting, polling, acking and cancelling in one session for CAFLEET_RELIABILITY_SECONDS
 * (default 30), then an audit of every row against what the processes reported.
 */
const PROCESSES = knob("CAFLEET_RELIABILITY_PROCESSES", 20);
const SECONDS = knob("CAFLEET_RELIABILITY_SECONDS", 30);
const AGENTS = 8;
const SEED = seedFromEnv("CAFLEET_RELIABILITY_SEED");
const SERVER_BUILT = existsSync(join(ROOT, "src/server/app.ts"));

type Delivery = { taskId: string; from: string; to: string };
type Op = "send" | "broadcast" | "poll" | "ack" | "cancel" | "http-send" | "http-read";

/** Outcomes of ack/cancel that a race legitimately produces; anything else fails the run. */
const RACE_ERRORS = /^Error: Cannot (ACK|cancel) task in state (completed|canceled)\n$/;

type Ledger = {
  counts: Record<Op, number>;
  sends: Delivery[];
  broadcasts: { summaryId: string; from: string; recipientIds: string[] }[];
  known: Map<string, Delivery>;
  acked: Map<string, number>;
  canceled: Map<string, number>;
  raceRefusals: number;
  failures: string[];
};

let sandbox: Sandbox;
let ids: SessionIds;
let agents: string[];

/** A sandbox on `backend` with a session of AGENTS agents, for the describe block it runs in. */
function sandboxFor(backend: Backend): void {
  beforeAll(() => {
    const url = backend === "postgres" ? { CAFLEET_DATABASE_URL: freshPostgresDatabase().url } : {};
    sandbox = new Sandbox(`concurrency-${backend}`, undefined, url);
    ids = sandbox.createSession();
    agents = [ids.directorId];
    for (let index = 1; index < AGENTS; index++)
      agents.push(sandbox.register(ids.sessionId, `worker-${index}`));
  }, 60_000);
  afterAll(() => sandbox.dispose());
}

async function run(args: string[]): Promise<CliResult> {
  const proc = Bun.spawn([BINARY, "--session-id", ids.sessionId, "--json", ...args], {
    env: sandbox.env as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, exitCode };
}

type TaskJson = { id: string; contextId: string; metadata: { fromAgentId: string; type: string } };

async function worker(random: () => number, deadline: number, ledger: Ledger): Promise<void> {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  while (performance.now() < deadline) {
    const roll = random();
    const known = [...ledger.known.values()];
    const op: Op =
      roll < 0.3 ? "send" : roll < 0.4 ? "broadcast" : roll < 0.6 ? "poll" : roll < 0.85 ? "ack" : "cancel";
    if ((op === "ack" || op === "cancel") && known.length === 0) continue;
    ledger.counts[op]++;
    const agent = pick(agents);
    let result: CliResult;
    if (op === "send") {
      const to = pick(agents);
      result = await run(["send", "--agent-id", agent, "--to", to, "--text", `m${ledger.counts.send}`]);
      if (result.exitCode === 0) {
        const task = (JSON.parse(result.stdout) as { task: TaskJson }).task;
        const delivery = { taskId: task.id, from: agent, to };
        ledger.sends.push(delivery);
        ledger.known.set(task.id, delivery);
      }
    } else if (op === "broadcast") {
      result = await run(["broadcast", "--agent-id", agent, "--text", "all"]);
      if (result.exitCode === 0) {
        const [{ task }] = JSON.parse(result.stdout) as [
          { task: TaskJson & { metadata: { recipientIds: string[] } } },
        ];
        ledger.broadcasts.push({ summaryId: task.id, from: agent, recipientIds: task.metadata.recipientIds });
      }
    } else if (op === "poll") {
      result = await run(["poll", "--agent-id", agent, "--page-size", "20"]);
      if (result.exitCode === 0)
        for (const task of JSON.parse(result.stdout) as TaskJson[]) {
          if (task.contextId !== agent || task.metadata.type !== "unicast")
            ledger.failures.push(`poll of ${agent} returned ${task.id} for ${task.contextId}`);
          ledger.known.set(task.id, { taskId: task.id, from: task.metadata.fromAgentId, to: agent });
        }
    } else {
      const delivery = pick(known);
      const actor = op === "ack" ? delivery.to : delivery.from;
      result = await run([op, "--agent-id", actor, "--task-id", delivery.taskId]);
      const successes = op === "ack" ? ledger.acked : ledger.canceled;
      if (result.exitCode === 0) successes.set(delivery.taskId, (successes.get(delivery.taskId) ?? 0) + 1);
      else if (RACE_ERRORS.test(result.stderr)) {
        ledger.raceRefusals++;
        continue;
      }
    }
    if (result.exitCode !== 0) ledger.failures.push(`${op} exit ${result.exitCode}: ${result.stderr.trim()}`);
  }
}

/** The web door writing and reading alongside the CLI processes, as the Administrator. */
async function httpWorker(
  server: Server,
  random: () => number,
  deadline: number,
  ledger: Ledger,
): Promise<void> {
  while (performance.now() < deadline) {
    const headers = { "x-session-id": ids.sessionId, "content-type": "application/json" };
    if (random() < 0.5) {
      ledger.counts["http-read"]++;
      const response = await fetch(`${server.base}/ui/api/timeline`, { headers });
      await response.text();
      if (response.status !== 200) ledger.failures.push(`timeline ${response.status}`);
      continue;
    }
    ledger.counts["http-send"]++;
    const to = agents[Math.floor(random() * agents.length)]!;
    const response = await fetch(`${server.base}/ui/api/messages/send`, {
      method: "POST",
      headers,
      body: JSON.stringify({ from_agent_id: ids.administratorId, to_agent_id: to, text: "from the web" }),
    });
    const body = await response.text();
    if (response.status !== 200) {
      ledger.failures.push(`http send ${response.status}: ${body}`);
      continue;
    }
    const { task_id } = JSON.parse(body) as { task_id: string };
    const delivery = { taskId: task_id, from: ids.administratorId, to };
    ledger.sends.push(delivery);
    ledger.known.set(task_id, delivery);
  }
}

describe("20 processes opening a new database at once", () => {
  sandboxFor("sqlite");
  const ROUNDS = knob("CAFLEET_RELIABILITY_FRESH_ROUNDS", 15);

  it(`create the schema once and none of them fails (${ROUNDS} rounds)`, async () => {
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const fresh = `${sandbox.dir}/fresh-${round}/new.db`;
      const env = { ...sandbox.env, CAFLEET_DATABASE_URL: `sqlite:///${fresh}` } as Record<string, string>;
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, async (_, index) => {
          const proc = Bun.spawn([BINARY, ...(index % 2 ? ["db", "init"] : ["session", "list", "--json"])], {
            env,
            stdout: "pipe",
            stderr: "pipe",
          });
          return { stderr: await new Response(proc.stderr).text(), exitCode: await proc.exited };
        }),
      );
      for (const result of results)
        if (result.exitCode !== 0) failures.push(`round ${round}: ${result.stderr}`);
      const db = new Database(fresh, { readonly: true });
      expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: HEAD_VERSION });
      expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(integrityProblems(db)).toEqual([]);
      db.close();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe("20 processes opening a new, empty PostgreSQL database at once", () => {
  sandboxFor("postgres");
  const ROUNDS = Math.ceil(knob("CAFLEET_RELIABILITY_FRESH_ROUNDS", 15) / 3);

  it(`create the schema once under the lock and none of them fails (${ROUNDS} rounds)`, async () => {
    const failures: string[] = [];
    const created: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { url } = freshPostgresDatabase({ empty: true });
      const env = { ...sandbox.env, CAFLEET_DATABASE_URL: url } as Record<string, string>;
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, async () => {
          const proc = Bun.spawn([BINARY, "db", "init"], { env, stdout: "pipe", stderr: "pipe" });
          const [stdout, stderr] = [
            await new Response(proc.stdout).text(),
            await new Response(proc.stderr).text(),
          ];
          return { stdout, stderr, exitCode: await proc.exited };
        }),
      );
      for (const result of results)
        if (result.exitCode !== 0) failures.push(`round ${round}: ${result.stderr}`);
      created.push(results.filter((result) => result.stdout.startsWith("Created ")).length);
      const db = openDatabase({ CAFLEET_DATABASE_URL: url }).db;
      expect(db.query("SELECT version FROM cafleet_schema").all()).toEqual([{ version: HEAD_VERSION }]);
      db.close();
    }
    expect(failures).toEqual([]);
    expect(created).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 120_000);
});

for (const backend of BACKENDS)
  describe(`20 processes at once in one session [${backend}]`, () => {
    sandboxFor(backend);
    it(
      "loses, duplicates and corrupts nothing, and never reports busy or locked",
      async () => {
        const ledger: Ledger = {
          counts: { send: 0, broadcast: 0, poll: 0, ack: 0, cancel: 0, "http-send": 0, "http-read": 0 },
          sends: [],
          broadcasts: [],
          known: new Map(),
          acked: new Map(),
          canceled: new Map(),
          raceRefusals: 0,
          failures: [],
        };
        const deadline = performance.now() + SECONDS * 1000;
        const server = SERVER_BUILT ? await startServer(sandbox) : undefined;
        await Promise.all([
          ...Array.from({ length: PROCESSES }, (_, index) =>
            worker(seededRandom(SEED + index), deadline, ledger),
          ),
          ...(server ? [httpWorker(server, seededRandom(SEED - 1), deadline, ledger)] : []),
        ]);
        server?.proc.kill("SIGKILL");

        const db = sandbox.open();
        let lost = 0;
        let duplicated = 0;
        const countOf = db.query("SELECT COUNT(*) AS n FROM tasks WHERE task_id = ? AND context_id = ?");
        for (const send of ledger.sends) {
          const { n } = countOf.get(send.taskId, send.to) as { n: number };
          if (n === 0) lost++;
          if (n > 1) duplicated += n - 1;
        }
        const deliveriesOf = db.query(
          "SELECT context_id FROM tasks WHERE origin_task_id = ? AND type = 'unicast' ORDER BY rowid",
        );
        const expectedRecipients = (from: string) => agents.filter((agent) => agent !== from).sort();
        for (const broadcast of ledger.broadcasts) {
          const recipients = (deliveriesOf.all(broadcast.summaryId) as { context_id: string }[]).map(
            (row) => row.context_id,
          );
          const distinct = new Set(recipients);
          lost += broadcast.recipientIds.filter((id) => !distinct.has(id)).length;
          duplicated += recipients.length - distinct.size;
          expect([...broadcast.recipientIds].sort()).toEqual(expectedRecipients(broadcast.from));
        }
        const expectedRows =
          ledger.sends.length +
          ledger.broadcasts.reduce((sum, broadcast) => sum + broadcast.recipientIds.length + 1, 0);
        const { rows } = db.query("SELECT COUNT(*) AS rows FROM tasks").get() as { rows: number };

        const stateOf = db.query("SELECT status_state AS state FROM tasks WHERE task_id = ?");
        const wrongState: string[] = [];
        for (const [taskId, times] of ledger.acked) {
          const row = stateOf.get(taskId) as { state: string } | null;
          if (times !== 1 || row?.state !== "completed" || ledger.canceled.has(taskId))
            wrongState.push(`ack ${taskId} x${times} -> ${row?.state}`);
        }
        for (const [taskId, times] of ledger.canceled) {
          const row = stateOf.get(taskId) as { state: string } | null;
          if (times !== 1 || row?.state !== "canceled")
            wrongState.push(`cancel ${taskId} x${times} -> ${row?.state}`);
        }
        const { completed, canceled } = db
          .query(
            `SELECT SUM(CASE WHEN status_state = 'completed' THEN 1 ELSE 0 END) AS completed,
                  SUM(CASE WHEN status_state = 'canceled' THEN 1 ELSE 0 END) AS canceled
           FROM tasks WHERE type = 'unicast'`,
          )
          .get() as { completed: number; canceled: number };
        const corrupt = [...integrityProblems(db), ...tornTasks(db)];
        db.close();

        const total = Object.values(ledger.counts).reduce((sum, count) => sum + count, 0);
        console.log(
          `concurrency [${backend}]: seed ${SEED}, ${PROCESSES} processes, ${SECONDS}s, ${total} operations ` +
            `(${JSON.stringify(ledger.counts)}), ${ledger.raceRefusals} ack/cancel race refusals; ` +
            `${lost} lost, ${duplicated} duplicated, ${corrupt.length} corrupt`,
        );
        expect(ledger.failures).toEqual([]);
        expect(ledger.failures.filter((line) => /busy|locked/i.test(line))).toEqual([]);
        expect({ lost, duplicated, corrupt, wrongState }).toEqual({
          lost: 0,
          duplicated: 0,
          corrupt: [],
          wrongState: [],
        });
        expect(rows).toBe(expectedRows);
        // Every state change on a delivery was reported to exactly one process.
        expect(completed).toBe(ledger.acked.size);
        expect(canceled).toBe(ledger.canceled.size);
        expect(ledger.counts.send).toBeGreaterThan(20);
        expect(ledger.acked.size).toBeGreaterThan(0);
        expect(ledger.canceled.size).toBeGreaterThan(0);
      },
      (SECONDS + 120) * 1000,
    );
  });
