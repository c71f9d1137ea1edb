import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { BINARY, type CliResult } from "../support/cli.ts";
import { integrityProblems, knob, Sandbox, type SessionIds, seededRandom, seedFromEnv } from "./support.ts";

/**
 * Membership churn: 20 processes register, deregister, send and broadcast in one session while
 * the session is deleted half-way through. Because every rule is checked inside the writing
 * transaction, the timestamps taken there must never contradict each other afterwards.
 */
const PROCESSES = knob("CAFLEET_RELIABILITY_PROCESSES", 20);
const SECONDS = knob("CAFLEET_RELIABILITY_CHURN_SECONDS", 12);
const SEED = seedFromEnv("CAFLEET_RELIABILITY_SEED");

/** Refusals a race may legitimately produce (the agent or the session went away meanwhile). */
const EXPECTED = [
  /^Error: Sender agent not found or not active in session: \S+\n$/,
  /^Error: Destination agent not found: \S+\n$/,
  /^Error: agent \S+ not found or already deregistered\.\n$/,
  /^Error: session \S+ is deleted\n$/,
];

let sandbox: Sandbox;
let ids: SessionIds;

beforeAll(() => {
  sandbox = new Sandbox("churn");
  ids = sandbox.createSession("churn");
}, 60_000);

afterAll(() => sandbox.dispose());

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

describe("register, deregister, send and broadcast racing a session delete", () => {
  it(
    "never delivers to or from an agent after it left, nor registers into a deleted session",
    async () => {
      const members: string[] = [];
      const counts = { register: 0, deregister: 0, send: 0, broadcast: 0, refused: 0 };
      const failures: string[] = [];
      const started = performance.now();
      const deadline = started + SECONDS * 1000;
      let deleted = false;

      const worker = async (random: () => number) => {
        const pick = () => members[Math.floor(random() * members.length)];
        while (performance.now() < deadline) {
          if (!deleted && performance.now() > started + (SECONDS * 1000) / 2) {
            deleted = true;
            const result = await run(["session", "delete", ids.sessionId]);
            if (result.exitCode !== 0) failures.push(`session delete: ${result.stderr}`);
            continue;
          }
          const roll = random();
          let result: CliResult;
          if (roll < 0.25 || members.length < 3) {
            counts.register++;
            result = await run(["register", "--name", "churner", "--description", "d"]);
            if (result.exitCode === 0)
              members.push((JSON.parse(result.stdout) as { agent_id: string }).agent_id);
          } else if (roll < 0.4) {
            counts.deregister++;
            result = await run(["deregister", "--agent-id", pick()!]);
          } else if (roll < 0.75) {
            counts.send++;
            result = await run(["send", "--agent-id", pick()!, "--to", pick()!, "--text", "x"]);
          } else {
            counts.broadcast++;
            result = await run(["broadcast", "--agent-id", pick()!, "--text", "all"]);
          }
          if (result.exitCode === 0) continue;
          if (EXPECTED.some((pattern) => pattern.test(result.stderr))) counts.refused++;
          else failures.push(`exit ${result.exitCode}: ${result.stderr.trim()}`);
        }
      };
      await Promise.all(Array.from({ length: PROCESSES }, (_, index) => worker(seededRandom(SEED + index))));

      const db = sandbox.open();
      // Timestamps of different processes are ordered to the millisecond only: their microseconds
      // come from each process's own monotonic clock (time.ts), so compare the milliseconds.
      const lateDeliveries = db
        .query(
          `SELECT t.task_id FROM tasks AS t JOIN agents AS a ON a.agent_id = t.context_id
           WHERE t.type = 'unicast' AND a.deregistered_at IS NOT NULL
             AND substr(t.created_at, 1, 23) > substr(a.deregistered_at, 1, 23)`,
        )
        .all();
      const lateSenders = db
        .query(
          `SELECT t.task_id FROM tasks AS t JOIN agents AS a ON a.agent_id = t.from_agent_id
           WHERE a.deregistered_at IS NOT NULL AND substr(t.created_at, 1, 23) > substr(a.deregistered_at, 1, 23)`,
        )
        .all();
      const lateRegistrations = db
        .query(
          `SELECT a.agent_id FROM agents AS a JOIN sessions AS s ON s.session_id = a.session_id
           WHERE s.deleted_at IS NOT NULL AND a.registered_at > s.deleted_at`,
        )
        .all();
      const stillActive = db
        .query("SELECT COUNT(*) AS n FROM agents WHERE session_id = ? AND status = 'active'")
        .get(ids.sessionId) as { n: number };
      const corrupt = integrityProblems(db);
      db.close();
      const total = counts.register + counts.deregister + counts.send + counts.broadcast;
      console.log(
        `churn: seed ${SEED}, ${PROCESSES} processes, ${SECONDS}s, ${total} operations ${JSON.stringify(counts)}; ` +
          `${lateDeliveries.length + lateSenders.length} late deliveries, ${lateRegistrations.length} late registrations, ${corrupt.length} corrupt`,
      );
      expect(failures).toEqual([]);
      expect({ lateDeliveries, lateSenders, lateRegistrations, corrupt }).toEqual({
        lateDeliveries: [],
        lateSenders: [],
        lateRegistrations: [],
        corrupt: [],
      });
      expect(deleted).toBe(true);
      expect(stillActive.n).toBe(0);
      expect(counts.refused).toBeGreaterThan(0);
    },
    (SECONDS + 60) * 1000,
  );
});
