import { afterAll, beforeAll, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import { HEAD_VERSION } from "../../src/broker/schema.ts";
import { parsePostgresUrl } from "../../src/store/postgres/url.ts";
import { databaseUrl, describeEachBackend } from "../support/backends.ts";
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

describeEachBackend("README quick start", (backend) => {
  it("runs the README quick start with the binary alone and a fresh HOME (SQLite: the default database)", () => {
    const run = join(dir, backend);
    const bin = join(run, "bin");
    const home = join(run, "home");
    mkdirSync(bin, { recursive: true });
    mkdirSync(home);
    copyFileSync(BINARY, join(bin, "cafleet"));
    expect(readdirSync(bin)).toEqual(["cafleet"]);

    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith("CAFLEET_") && !key.startsWith("TMUX")) env[key] = value;
    // SQLite: no URL at all, so the default file under HOME; PostgreSQL: a new database.
    const url = backend === "postgres" ? databaseUrl(backend, run, { empty: true }) : undefined;
    Object.assign(env, {
      HOME: home,
      PATH: `${bin}:${process.env.PATH}`,
      TMUX_TMPDIR: run,
      ...tmux.envFor(pane),
      ...(url === undefined ? {} : { CAFLEET_DATABASE_URL: url }),
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
    const created = url === undefined ? dbPath : parsePostgresUrl(url).where;
    expect(stdout).toStartWith(`Created ${created} and applied migrations to head (${HEAD_VERSION}).\n`);
    expect(stdout).toContain("\nMessage sent.\n");
    expect(stdout).toContain("text:  Please review PR 42");
    expect(stdout).toContain("\nMessage acknowledged.\n");
    // The modes of the default file and its folder are SQLite's alone.
    if (backend === "sqlite") {
      expect(statSync(dbPath).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, ".local/share/cafleet")).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(bin)).toEqual(["cafleet"]);

    const { db } = openDatabase({ CAFLEET_DATABASE_URL: url ?? `sqlite:///${dbPath}` });
    expect(db.query("SELECT label FROM sessions").all()).toEqual([{ label: "demo" }]);
    expect(db.query("SELECT name FROM agents ORDER BY rowid").all()).toEqual([
      { name: "Director" },
      { name: "Administrator" },
      { name: "worker" },
    ]);
    expect(db.query("SELECT status_state FROM tasks").all()).toEqual([{ status_state: "completed" }]);
    db.close();
  });
});
