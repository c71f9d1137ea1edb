import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { HEAD_VERSION } from "../../src/broker/schema.ts";
import type { Backend } from "../support/backends.ts";
import { BINARY, ROOT } from "../support/cli.ts";
import { freshPostgresDatabase } from "../support/postgres.ts";
import { MemberHarness } from "../tmux/harness.ts";
import {
  integrityProblems,
  knob,
  Sandbox,
  type SessionIds,
  seededRandom,
  seedFromEnv,
  tornTasks,
} from "./support.ts";

/**
 * kill -9 at random moments of multi-row operations; afterwards every operation is in the
 * database completely or not at all. CAFLEET_RELIABILITY_KILLS sets the kills per operation kind.
 */
const KILLS = knob("CAFLEET_RELIABILITY_KILLS", 40);
const RECIPIENTS = 200;
const SEED = seedFromEnv("CAFLEET_RELIABILITY_SEED");
const random = seededRandom(SEED);

let sandbox: Sandbox;
let ids: SessionIds;

beforeAll(() => {
  sandbox = new Sandbox("crash");
  ids = sandbox.createSession();
}, 60_000);

afterAll(() => sandbox.dispose());

type KillOutcome = { killed: number; finished: number };

/** Starts the command, waits a random share of `typicalMs`, then SIGKILLs it if still running. */
async function runAndKill(
  args: string[],
  typicalMs: number,
  env = sandbox.env,
): Promise<"killed" | "finished"> {
  const proc = Bun.spawn([BINARY, ...args], {
    env: env as Record<string, string>,
    stdout: "ignore",
    stderr: "pipe",
    stdin: "ignore",
  });
  // Squared: most kills land early (start-up and the transaction), some after the commit.
  await Bun.sleep(random() ** 2 * typicalMs * 1.2);
  proc.kill("SIGKILL");
  const exitCode = await proc.exited;
  if (proc.signalCode === "SIGKILL") return "killed";
  if (exitCode !== 0) throw new Error(`${args.join(" ")} failed: ${await new Response(proc.stderr).text()}`);
  return "finished";
}

async function timed(args: string[], env = sandbox.env): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn([BINARY, ...args], { env: env as Record<string, string>, stdout: "ignore" });
  expect(await proc.exited).toBe(0);
  return performance.now() - started;
}

async function killRepeatedly(
  args: () => string[],
  typicalMs: number,
  env = sandbox.env,
): Promise<KillOutcome> {
  const outcome: KillOutcome = { killed: 0, finished: 0 };
  for (let index = 0; index < KILLS; index++)
    outcome[(await runAndKill(args(), typicalMs, env)) === "killed" ? "killed" : "finished"]++;
  return outcome;
}

function report(kind: string, outcome: KillOutcome, extra: string): void {
  console.log(
    `crash ${kind}: seed ${SEED}, ${outcome.killed} killed, ${outcome.finished} finished first; ${extra}`,
  );
}

/** Broadcasts to 200 recipients in `on`'s session, killed at random moments, then audited. */
async function killBroadcasts(on: Sandbox, session: SessionIds, backend: Backend): Promise<void> {
  const registrations: Promise<unknown>[] = [];
  for (let index = 0; index < RECIPIENTS - 1; index++)
    registrations.push(
      Bun.spawn(
        [BINARY, "--session-id", session.sessionId, "register", "--name", `r${index}`, "--description", "d"],
        { env: on.env as Record<string, string>, stdout: "ignore" },
      ).exited,
    );
  await Promise.all(registrations);
  const sender = on.register(session.sessionId, "sender");
  // A large text makes the transaction long enough for some kills to land inside it.
  const text = "x".repeat(16 * 1024);
  const args = () => ["--session-id", session.sessionId, "broadcast", "--agent-id", sender, "--text", text];
  const typicalMs = await timed(args(), on.env);
  const outcome = await killRepeatedly(args, typicalMs, on.env);

  const db = on.open();
  const summaries = (
    db.query("SELECT task_id, task_json FROM tasks WHERE type = 'broadcast_summary'").all() as {
      task_id: string;
      task_json: string;
    }[]
  ).map((row) => ({
    task_id: row.task_id,
    count: (JSON.parse(row.task_json) as { metadata: { recipientCount: number } }).metadata.recipientCount,
  }));
  const groups = db
    .query(
      `SELECT origin_task_id AS origin, COUNT(*) AS deliveries, COUNT(DISTINCT context_id) AS recipients
         FROM tasks WHERE type = 'unicast' GROUP BY origin_task_id`,
    )
    .all() as { origin: string; deliveries: number; recipients: number }[];
  const summaryIds = new Set(summaries.map((summary) => summary.task_id));
  const partial = groups.filter(
    (group) =>
      !summaryIds.has(group.origin) || group.deliveries !== RECIPIENTS || group.recipients !== RECIPIENTS,
  );
  const empty = summaries.filter(
    (summary) => summary.count !== RECIPIENTS || !groups.some((g) => g.origin === summary.task_id),
  );
  const corrupt = [...integrityProblems(db), ...tornTasks(db)];
  db.close();
  report(
    `broadcast [${backend}]`,
    outcome,
    `${summaries.length} broadcasts stored (1 + ${outcome.finished} expected at least), ` +
      `${partial.length + empty.length} partial, ${corrupt.length} corrupt, typical run ${typicalMs.toFixed(0)} ms`,
  );
  expect({ partial, empty, corrupt }).toEqual({ partial: [], empty: [], corrupt: [] });
  expect(summaries.length).toBeGreaterThanOrEqual(1 + outcome.finished);
  expect(summaries.length).toBeLessThanOrEqual(1 + KILLS);
  expect(outcome.killed).toBeGreaterThan(0);
}

describe("kill -9 of a broadcast to 200 recipients", () => {
  it("leaves each broadcast whole or absent", () => killBroadcasts(sandbox, ids, "sqlite"), 180_000);
});

describe("kill -9 of a broadcast to 200 recipients [postgres]", () => {
  let pg: Sandbox;
  beforeAll(() => {
    pg = new Sandbox("crash-pg", undefined, { CAFLEET_DATABASE_URL: freshPostgresDatabase().url });
  }, 60_000);
  afterAll(() => pg.dispose());
  it(
    "leaves each broadcast whole or absent",
    () => killBroadcasts(pg, pg.createSession(), "postgres"),
    180_000,
  );
});

describe("kill -9 of session create inside a private tmux server", () => {
  it("leaves each session with its Director, placement and Administrator, or no trace", async () => {
    const typicalMs = await timed(["session", "create", "--label", "crash"]);
    const outcome = await killRepeatedly(() => ["session", "create", "--label", "crash"], typicalMs);
    const db = sandbox.open();
    const broken = db
      .query(
        `SELECT s.session_id FROM sessions AS s WHERE s.label = 'crash' AND (
           s.director_agent_id IS NULL
           OR (SELECT COUNT(*) FROM agents WHERE session_id = s.session_id) <> 2
           OR (SELECT COUNT(*) FROM agent_placements WHERE agent_id = s.director_agent_id) <> 1
           OR NOT EXISTS (SELECT 1 FROM agents WHERE session_id = s.session_id AND name = 'Administrator'))`,
      )
      .all();
    const { sessions } = db
      .query("SELECT COUNT(*) AS sessions FROM sessions WHERE label = 'crash'")
      .get() as {
      sessions: number;
    };
    const corrupt = integrityProblems(db);
    db.close();
    report(
      "session create",
      outcome,
      `${sessions} sessions stored, ${broken.length} partial, ${corrupt.length} corrupt`,
    );
    expect({ broken, corrupt }).toEqual({ broken: [], corrupt: [] });
    expect(sessions).toBeGreaterThanOrEqual(1 + outcome.finished);
  }, 120_000);
});

describe("kill -9 of session delete", () => {
  it("leaves each session fully deleted with every agent deregistered, or untouched", async () => {
    const victims: string[] = [];
    for (let index = 0; index < KILLS; index++) {
      const session = sandbox.createSession("victim");
      for (let agent = 0; agent < 3; agent++) sandbox.register(session.sessionId, `v${agent}`);
      victims.push(session.sessionId);
    }
    const typicalMs = await timed(["session", "delete", victims.pop()!]);
    const outcome: KillOutcome = { killed: 0, finished: 0 };
    for (const victim of victims)
      outcome[
        (await runAndKill(["session", "delete", victim], typicalMs)) === "killed" ? "killed" : "finished"
      ]++;

    const db = sandbox.open();
    const states = db
      .query(
        `SELECT s.session_id, s.deleted_at,
           (SELECT COUNT(*) FROM agents WHERE session_id = s.session_id AND status = 'active') AS active,
           (SELECT COUNT(*) FROM agents WHERE session_id = s.session_id AND status = 'deregistered'
              AND deregistered_at = s.deleted_at) AS deregistered,
           (SELECT COUNT(*) FROM agent_placements AS p JOIN agents AS a ON a.agent_id = p.agent_id
              WHERE a.session_id = s.session_id) AS placements
         FROM sessions AS s WHERE s.label = 'victim'`,
      )
      .all() as {
      session_id: string;
      deleted_at: string | null;
      active: number;
      deregistered: number;
      placements: number;
    }[];
    const corrupt = integrityProblems(db);
    db.close();
    const partial = states.filter((state) =>
      state.deleted_at === null
        ? state.active !== 5 || state.placements !== 1
        : state.active !== 0 || state.deregistered !== 5 || state.placements !== 0,
    );
    const deleted = states.filter((state) => state.deleted_at !== null).length;
    report(
      "session delete",
      outcome,
      `${deleted} of ${states.length} sessions deleted, ${partial.length} partial, ${corrupt.length} corrupt`,
    );
    expect({ partial, corrupt }).toEqual({ partial: [], corrupt: [] });
    expect(deleted).toBeGreaterThanOrEqual(1 + outcome.finished);
  }, 180_000);
});

describe("kill -9 of member create", () => {
  it("leaves nothing, a pending member that member delete removes, or a member with its live pane", async () => {
    const h = new MemberHarness("crash-member");
    try {
      const session = h.createSession();
      const env = h.env() as Record<string, string>;
      const args = (name: string) => h.memberCreateArgs(session, name);
      const started = performance.now();
      h.createMember(session, "typical");
      const typicalMs = performance.now() - started;
      const tally = { killed: 0, finished: 0, nothing: 0, pending: 0, complete: 0, orphanPanes: 0 };
      const broken: string[] = [];
      const kills = Math.max(5, Math.round(KILLS / 2));
      for (let index = 0; index < kills; index++) {
        const name = `m${index}`;
        const panesBefore = new Set(h.tmux.paneIds());
        const proc = Bun.spawn([BINARY, ...args(name)], {
          env,
          stdout: "ignore",
          stderr: "pipe",
          stdin: "ignore",
        });
        await Bun.sleep(random() * typicalMs * 1.2);
        proc.kill("SIGKILL");
        await proc.exited;
        tally[proc.signalCode === "SIGKILL" ? "killed" : "finished"]++;
        const rows = h.sql<{ agent_id: string; status: string; pane: string | null; placed: number }>(
          `SELECT a.agent_id, a.status, p.tmux_pane_id AS pane, p.agent_id IS NOT NULL AS placed
             FROM agents AS a LEFT JOIN agent_placements AS p ON p.agent_id = a.agent_id WHERE a.name = ?`,
          name,
        );
        const newPanes = h.tmux.paneIds().filter((pane) => !panesBefore.has(pane));
        const row = rows[0];
        if (rows.length > 1) broken.push(`${name}: ${rows.length} agents`);
        else if (!row) {
          tally.nothing++;
          if (newPanes.length > 0) broken.push(`${name}: a pane without any registration`);
        } else if (row.status !== "active" || !row.placed) broken.push(`${name}: ${JSON.stringify(row)}`);
        else if (row.pane === null) {
          tally.pending++;
          tally.orphanPanes += newPanes.length;
          const deleted = h.member(session, "delete", ["--member-id", row.agent_id]);
          if (deleted.exitCode !== 0 || !deleted.stdout.startsWith("Member deleted."))
            broken.push(`${name}: member delete of the pending member failed: ${deleted.stderr}`);
        } else {
          tally.complete++;
          if (!newPanes.includes(row.pane))
            broken.push(`${name}: recorded pane ${row.pane} is not a live pane`);
        }
        for (const pane of newPanes) Bun.spawnSync(["tmux", "-L", h.tmux.name, "kill-pane", "-t", pane]);
      }
      const db = new Database(join(h.dir, "cafleet.db"), { readonly: true });
      const corrupt = integrityProblems(db);
      db.close();
      console.log(
        `crash member create: seed ${SEED}, ${tally.killed} killed, ${tally.finished} finished first; ` +
          `${tally.nothing} left nothing, ${tally.pending} left a pending member (${tally.orphanPanes} with an ` +
          `unrecorded pane), ${tally.complete} complete, ${broken.length} inconsistent, ${corrupt.length} corrupt`,
      );
      expect({ broken, corrupt }).toEqual({ broken: [], corrupt: [] });
    } finally {
      h.dispose();
    }
  }, 180_000);
});

describe("kill -9 of the adoption of a Python CAFleet database", () => {
  it("leaves the file either as the Python tool left it or fully adopted", async () => {
    const schema = await Bun.file(join(ROOT, "migrations.sql")).text();
    const tally = { python: 0, adopted: 0 };
    const broken: string[] = [];
    for (let index = 0; index < Math.max(5, Math.round(KILLS / 2)); index++) {
      const path = join(sandbox.dir, `python-${index}.db`);
      const seed = new Database(path);
      // A Python database holds the reference schema: section 1 only.
      seed.run(schema.slice(0, schema.indexOf("-- version: 2")).replace(/^-- version:.*$/gm, ""));
      seed.run("DROP INDEX idx_placements_director");
      seed.run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
      seed.run("INSERT INTO alembic_version VALUES ('0008')");
      seed.run(
        "INSERT INTO sessions (session_id, label, created_at) VALUES ('legacy', 'py', '2025-01-01T00:00:00+00:00')",
      );
      seed.close();
      const env = { ...sandbox.env, CAFLEET_DATABASE_URL: `sqlite:///${path}` } as Record<string, string>;
      const proc = Bun.spawn([BINARY, "db", "init"], { env, stdout: "ignore", stderr: "ignore" });
      await Bun.sleep(random() ** 2 * 30);
      proc.kill("SIGKILL");
      await proc.exited;
      const db = new Database(path);
      const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
      const alembic =
        db.query("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").get() !== null;
      const indexed =
        db.query("SELECT name FROM sqlite_master WHERE name = 'idx_placements_director'").get() !== null;
      const kept = db.query("SELECT COUNT(*) AS n FROM sessions WHERE session_id = 'legacy'").get() as {
        n: number;
      };
      const corrupt = integrityProblems(db);
      db.close();
      if (version === 0 && alembic && !indexed) tally.python++;
      else if (version === HEAD_VERSION && !alembic && indexed) tally.adopted++;
      else broken.push(`${path}: version ${version}, alembic ${alembic}, index ${indexed}`);
      if (kept.n !== 1) broken.push(`${path}: the legacy session is gone`);
      broken.push(...corrupt.map((problem) => `${path}: ${problem}`));
    }
    console.log(
      `crash adoption: seed ${SEED}, ${tally.python} left as Python's, ${tally.adopted} adopted, ${broken.length} broken`,
    );
    expect(broken).toEqual([]);
  }, 60_000);
});
