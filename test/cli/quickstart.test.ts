import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { HEAD_VERSION } from "../../src/broker/schema.ts";
import { BINARY, makeTempDir, ROOT } from "../support/cli.ts";
import { PrivateTmux } from "../support/tmux.ts";

let tmux: PrivateTmux;
let pane: string;
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir("cafleet-quickstart-"));
  tmux = new PrivateTmux("quickstart");
  pane = tmux.start("main");
}, 60_000);
afterAll(() => {
  tmux.kill();
  cleanup();
}, 60_000);

/** The shell block under README's "## Quick start" heading, verbatim. */
function quickStartScript(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## Quick start$/m)[1];
  const block = section === undefined ? undefined : /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README.md has no sh block under '## Quick start'");
  return block;
}

it("runs the README quick start with the binary alone, a fresh HOME and the default database", () => {
  const bin = join(dir, "bin");
  const home = join(dir, "home");
  mkdirSync(bin);
  mkdirSync(home);
  copyFileSync(BINARY, join(bin, "cafleet"));
  expect(readdirSync(bin)).toEqual(["cafleet"]);

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith("CAFLEET_") && !key.startsWith("TMUX")) env[key] = value;
  Object.assign(env, {
    HOME: home,
    PATH: `${bin}:${process.env.PATH}`,
    TMUX_TMPDIR: dir,
    ...tmux.envFor(pane),
  });
  const result = Bun.spawnSync(["bash", "-euo", "pipefail", "-c", quickStartScript()], {
    cwd: bin,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = result.stdout.toString();
  expect(result.stderr.toString()).toBe("");
  expect(result.exitCode).toBe(0);

  const dbPath = join(home, ".local/share/cafleet/registry.db");
  expect(stdout).toStartWith(`Created ${dbPath} and applied migrations to head (${HEAD_VERSION}).\n`);
  expect(stdout).toContain("\nMessage sent.\n");
  expect(stdout).toContain("text:  Please review PR 42");
  expect(stdout).toContain("\nMessage acknowledged.\n");
  expect(statSync(dbPath).mode & 0o777).toBe(0o600);
  expect(statSync(join(home, ".local/share/cafleet")).mode & 0o777).toBe(0o700);
  expect(readdirSync(bin)).toEqual(["cafleet"]);

  const db = new Database(dbPath, { readonly: true });
  expect(db.query("SELECT label FROM sessions").all()).toEqual([{ label: "demo" }]);
  expect(db.query("SELECT name FROM agents ORDER BY rowid").all()).toEqual([
    { name: "Director" },
    { name: "Administrator" },
    { name: "worker" },
  ]);
  expect(db.query("SELECT status_state FROM tasks").all()).toEqual([{ status_state: "completed" }]);
  db.close();
});
