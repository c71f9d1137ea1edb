/**
 * bun run bench: every figure of the performance promise, each against its floor or target,
 * printed as one table and written to bench/results/<timestamp>.json. BENCH_QUICK=1 runs smaller
 * sizes; BENCH_ONLY=name,name runs some figures (page: the console page in Chromium; postgres: the
 * PostgreSQL store beside SQLite, on a private cluster); BENCH_NO_BUILD=1 skips `bun run build`.
 */

import { binaryFigures } from "./binary.ts";
import { cliLatency } from "./cli-latency.ts";
import { concurrentWriters } from "./concurrent-writers.ts";
import { deepHistory } from "./deep-history.ts";
import { fanOut } from "./fan-out.ts";
import { fleetFigures } from "./fleet.ts";
import { compileFloor, mustRun } from "./lib/run.ts";
import { QUICK } from "./lib/stats.ts";
import { type Row, renderTable, writeResults } from "./lib/table.ts";
import { mcpFigures } from "./mcp.ts";
import { pageFigures } from "./page.ts";
import { pollBytes } from "./poll-bytes.ts";
import { postgresFigures } from "./postgres.ts";
import { pushLatency } from "./push-latency.ts";
import { searchFigures } from "./search.ts";
import { serverFigures } from "./server.ts";
import { throughput } from "./throughput.ts";

const FIGURES: { name: string; run: () => Promise<Row[]> }[] = [
  { name: "cli", run: cliLatency },
  { name: "writers", run: () => concurrentWriters() },
  { name: "throughput", run: throughput },
  { name: "history", run: deepHistory },
  { name: "push", run: pushLatency },
  { name: "fan-out", run: fanOut },
  { name: "poll-bytes", run: pollBytes },
  { name: "server", run: serverFigures },
  { name: "fleet", run: fleetFigures },
  { name: "search", run: searchFigures },
  { name: "mcp", run: mcpFigures },
  { name: "page", run: pageFigures },
  { name: "binary", run: binaryFigures },
  { name: "postgres", run: postgresFigures },
];

const only = process.env.BENCH_ONLY?.split(",").filter(Boolean);
if (!process.env.BENCH_NO_BUILD) mustRun([process.execPath, "run", "build.ts"]);
await compileFloor();

const rows: Row[] = [];
const started = performance.now();
for (const figure of FIGURES) {
  if (only && !only.includes(figure.name)) continue;
  const figureStarted = performance.now();
  process.stderr.write(`bench: ${figure.name}…`);
  rows.push(...(await figure.run()));
  process.stderr.write(` ${((performance.now() - figureStarted) / 1000).toFixed(1)} s\n`);
}
const table = renderTable(rows);
console.log(table);
for (const row of rows) if (row.note) console.log(`- ${row.figure} / ${row.measure}: ${row.note}`);
const path = writeResults(rows, {
  bun: Bun.version,
  quick: QUICK,
  seconds: (performance.now() - started) / 1000,
  platform: `${process.platform}-${process.arch}`,
});
console.log(`\nwritten to ${path.slice(path.indexOf("bench/"))}`);
const misses = rows.filter((row) => row.holds === false);
if (misses.length > 0)
  console.log(
    `${misses.length} target(s) missed: ${misses.map((row) => `${row.figure} / ${row.measure}`).join("; ")}`,
  );
