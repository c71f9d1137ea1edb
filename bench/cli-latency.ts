/**
 * bun run bench/cli-latency.ts — start-up-dominated latency of the compiled CLI against a floor.
 *
 * The floor (bench/floor.ts, compiled with the same flags as dist/cafleet) opens the same
 * database with the same pragmas and runs poll's indexed SELECT. Each command runs RUNS times,
 * round-robin; the table shows median wall times and the ratio to the floor's median. A second
 * floor that also prints the 1,000 rows it read shows what emitting the inbox itself costs,
 * which the plain floor (a row count) leaves out.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerAgent } from "../src/broker/agents.ts";
import { openDatabase } from "../src/broker/db.ts";
import { createSession } from "../src/broker/sessions.ts";
import { sendUnicast } from "../src/broker/tasks.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const INBOX_SIZE = 1000;
const root = join(import.meta.dir, "..");
const binary = join(root, "dist/cafleet");
const floorBinary = join(root, "bench/results/floor");

function mustRun(argv: string[], env?: Record<string, string>): ReturnType<typeof Bun.spawnSync> {
  const result = Bun.spawnSync(argv, { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0)
    throw new Error(`${argv.join(" ")} failed (${result.exitCode}): ${result.stderr?.toString()}`);
  return result;
}

function buildFloor(): void {
  mkdirSync(join(root, "bench/results"), { recursive: true });
  mustRun([
    process.execPath,
    "build",
    "--compile",
    "--bytecode",
    "--format=esm",
    "--minify-whitespace",
    "--minify-syntax",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "bench/floor.ts",
    "--outfile",
    floorBinary,
  ]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Case = { name: string; argv: () => string[]; target?: number };

type Timing = { wallMs: number; cpuMs: number };

/**
 * Runs the cases round-robin, RUNS rounds, so a burst of load from other processes on the
 * machine hits every case alike instead of skewing one of them. Wall time is the target; the
 * child's CPU time (user + system) is shown beside it because it barely moves with that load.
 */
function timeAll(cases: Case[], env: Record<string, string>): Timing[] {
  const samples = cases.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (const testCase of cases) mustRun(testCase.argv(), env); // warm the page cache
  for (let run = 0; run < RUNS; run++)
    cases.forEach((testCase, index) => {
      const args = testCase.argv();
      const started = performance.now();
      const result = mustRun(args, env);
      samples[index]!.wall.push(performance.now() - started);
      samples[index]!.cpu.push(Number(result.resourceUsage?.cpuTime.total ?? 0n) / 1000);
    });
  return samples.map(({ wall, cpu }) => ({ wallMs: median(wall), cpuMs: median(cpu) }));
}

mustRun([process.execPath, "run", "build.ts"]);
buildFloor();
const dir = mkdtempSync(join(tmpdir(), "cafleet-bench-"));
try {
  const dbPath = join(dir, "registry.db");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    TMUX_TMPDIR: dir,
    CAFLEET_DATABASE_URL: `sqlite:///${dbPath}`,
  };
  const { db } = openDatabase(env);
  const session = createSession(db, "bench", { session: "bench", windowId: "@1", paneId: "%1" });
  const sessionId = session.session_id;
  const sender = registerAgent(db, { sessionId, name: "sender", description: "s", skills: [] }).agent_id;
  const reader = registerAgent(db, { sessionId, name: "reader", description: "r", skills: [] }).agent_id;
  const sink = registerAgent(db, { sessionId, name: "sink", description: "k", skills: [] }).agent_id;
  for (let index = 0; index < INBOX_SIZE; index++)
    sendUnicast(db, {
      sessionId,
      fromAgentId: sender,
      toAgentId: reader,
      text: `message ${index}: ${"x".repeat(80)}`,
    });
  db.close();

  const cases: Case[] = [
    { name: "floor (open + pragmas + inbox SELECT)", argv: () => [floorBinary, dbPath, reader] },
    { name: `floor + print the ${INBOX_SIZE} rows`, argv: () => [floorBinary, dbPath, reader, "--print"] },
    { name: "cafleet --version", argv: () => [binary, "--version"] },
    {
      name: `cafleet poll (inbox of ${INBOX_SIZE})`,
      argv: () => [binary, "--session-id", sessionId, "poll", "--agent-id", reader],
      target: 1.5,
    },
    {
      name: "cafleet send",
      argv: () => [
        binary,
        "--session-id",
        sessionId,
        "send",
        "--agent-id",
        sender,
        "--to",
        sink,
        "--text",
        "hi",
      ],
      target: 1.5,
    },
    {
      name: "cafleet register",
      argv: () => [binary, "--session-id", sessionId, "register", "--name", "n", "--description", "d"],
    },
  ];
  const timings = timeAll(cases, env);
  const floor = timings[0]!;
  console.log(`median of ${RUNS} runs each (round-robin), Bun ${Bun.version}`);
  console.log(
    `${"command".padEnd(40)} ${"wall ms".padStart(8)} ${"× floor".padStart(8)} ${"target".padStart(10)} ${"cpu ms".padStart(8)} ${"× floor".padStart(8)}`,
  );
  cases.forEach((testCase, index) => {
    const { wallMs, cpuMs } = timings[index]!;
    const ratio = wallMs / floor.wallMs;
    const target = testCase.target;
    const verdict = target === undefined ? "" : `≤ ${target} ${ratio <= target ? "ok" : "MISS"}`;
    console.log(
      [
        testCase.name.padEnd(40),
        wallMs.toFixed(2).padStart(8),
        ratio.toFixed(2).padStart(8),
        verdict.padStart(10),
        cpuMs.toFixed(2).padStart(8),
        (cpuMs / floor.cpuMs).toFixed(2).padStart(8),
      ].join(" "),
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
