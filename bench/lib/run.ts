import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { compileProgram } from "../../build.ts";

export const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/cafleet");
export const FLOOR_BINARY = join(ROOT, "bench/results/floor");

export type RunResult = { stdout: string; stderr: string; wallMs: number; cpuMs: number };

/** Runs a program to the end; a non-zero exit throws with its stderr. */
export function mustRun(argv: string[], env?: Record<string, string>): RunResult {
  const started = performance.now();
  const result = Bun.spawnSync(argv, { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
  const wallMs = performance.now() - started;
  const stderr = result.stderr.toString();
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${result.exitCode}): ${stderr}`);
  return {
    stdout: result.stdout.toString(),
    stderr,
    wallMs,
    cpuMs: Number(result.resourceUsage?.cpuTime.total ?? 0n) / 1000,
  };
}

/** Compiled as dist/cafleet is, so the floor pays what dist/cafleet pays to start. */
export async function compileFloor(): Promise<void> {
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  await compileProgram(join(ROOT, "bench/lib/floor.ts"), FLOOR_BINARY);
}
