/** The binary itself: its size, and the wall time of `cafleet --version` (first run and median). */
import { statSync } from "node:fs";
import { BINARY, mustRun } from "./lib/run.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

export async function binaryFigures(): Promise<Row[]> {
  const runs = sized(30, 20);
  const first = mustRun([BINARY, "--version"]).wallMs;
  const samples = Array.from({ length: runs }, () => mustRun([BINARY, "--version"]).wallMs);
  return [
    {
      figure: "binary",
      measure: "size of dist/cafleet",
      value: statSync(BINARY).size / 1e6,
      unit: "MB",
      target: "report",
      holds: null,
    },
    {
      figure: "binary",
      measure: `--version (median of ${runs})`,
      value: median(samples),
      unit: "ms",
      target: "report",
      holds: null,
      note: `first run ${first.toFixed(2)} ms (page cache already warm from the build)`,
    },
  ];
}
