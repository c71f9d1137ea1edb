/**
 * bun run test runs this before `bun test`: what the tests need beyond `bun install`. tmux (the
 * member and push tests drive a private tmux server), Chromium (the browser tests) and the
 * PostgreSQL server (the second store's suites start a private cluster of it) come from the OS's
 * packages: installed with apt-get when this runs as root, otherwise it stops with one
 * line naming the one command to run. The real-REPL suite's pinned Claude Code, Codex, opencode
 * and Gemini CLI are installed from the npm registry into .repls/ (test/support/repls.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM } from "../test/browser/chromium.ts";
import { postgresBinDir } from "../test/support/postgres.ts";

const root = join(import.meta.dir, "..");

const missing = [
  ...(Bun.which("tmux") === null ? ["tmux"] : []),
  ...(existsSync(CHROMIUM) ? [] : ["chromium"]),
  ...(postgresBinDir() !== null && Bun.which("psql") !== null ? [] : ["postgresql"]),
];

if (missing.length > 0) {
  const install = `apt-get install -y ${missing.join(" ")}`;
  const needed = `the tests need ${missing.join(" and ")}`;
  if (Bun.which("apt-get") === null) {
    console.error(`Error: ${needed} (Chromium at ${CHROMIUM}): install them, then run 'bun run test' again.`);
    process.exit(1);
  }
  if (process.getuid?.() !== 0) {
    console.error(`Error: ${needed}: run 'sudo ${install}', then 'bun run test' again.`);
    process.exit(1);
  }
  console.error(`test-deps: installing ${missing.join(", ")} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const argv of [
    ["apt-get", "update", "-q"],
    [...install.split(" "), "-q"],
  ]) {
    const result = Bun.spawnSync(argv, { env, stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) {
      console.error(`${result.stdout}${result.stderr}`.trimEnd().split("\n").slice(-20).join("\n"));
      console.error(
        `Error: '${argv.join(" ")}' failed (exit ${result.exitCode}); run 'sudo ${install}' yourself.`,
      );
      process.exit(1);
    }
  }
}

if (existsSync(join(root, "test/repl"))) {
  const { ensureRepls } = await import("../test/support/repls.ts");
  try {
    ensureRepls();
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
