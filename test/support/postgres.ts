/**
 * One private PostgreSQL cluster per `bun test` run: started on first use in a temp folder on a
 * free loopback port (as the `postgres` user when the tests run as root, since initdb refuses
 * root), stopped when the run ends. Each test gets a database of its own from it.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The superuser's password: the cluster takes passwords (scram), as a team's server does. */
const ADMIN_PASSWORD = "cafleet-tests";

export type Cluster = { host: string; port: number; adminUrl: string; dir: string };

let cluster: Cluster | null = null;
let stopCluster: (() => void) | null = null;

/** Stops the run's cluster, if one was started (test/preload.ts calls this after all tests). */
export function stopPostgresCluster(): void {
  stopCluster?.();
  stopCluster = null;
  cluster = null;
  template = null;
}
let created = 0;

/** Debian's server binaries (initdb, pg_ctl): not on PATH. */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

function runAsOwner(argv: string[], owner: { uid: number; gid: number } | null): void {
  const command = owner
    ? ["setpriv", `--reuid=${owner.uid}`, `--regid=${owner.gid}`, "--clear-groups", ...argv]
    : argv;
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe", cwd: tmpdir() });
  if (result.exitCode !== 0)
    throw new Error(
      `${argv.slice(0, 2).join(" ")} failed (exit ${result.exitCode}): ${result.stderr}${result.stdout}`,
    );
}

/** Starts the run's cluster once; later calls return it. */
export function postgresCluster(): Cluster {
  if (cluster) return cluster;
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL's server is not installed: run `bun run test`, which installs it");
  const owner = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), "cafleet-pg-"));
  const data = join(dir, "data");
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, ADMIN_PASSWORD);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o700);
  const port = freePort();
  runAsOwner(
    [
      join(bin, "initdb"),
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${passwordFile}`,
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ],
    owner,
  );
  // Durability off: the tests measure cafleet, not the disk; nothing here outlives the run.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  runAsOwner([join(bin, "pg_ctl"), "-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"], owner);
  const pgCtl = [join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"];
  const asOwner = owner ? ["setpriv", `--reuid=${owner.uid}`, `--regid=${owner.gid}`, "--clear-groups"] : [];
  // SIGKILL, not pg_ctl: an immediate shutdown waits 5 s for a backend whose client stopped
  // reading, and nothing in this cluster is worth keeping. Its backends exit on their own once
  // the postmaster is gone.
  stopCluster = () => {
    try {
      const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      if (postmaster > 0) process.kill(postmaster, "SIGKILL");
    } catch {
      Bun.spawnSync([...asOwner, ...pgCtl], { stdout: "ignore", stderr: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A run that is killed never reaches its afterAll: a watchdog stops the cluster once this
  // process is gone.
  Bun.spawn(
    [
      "sh",
      "-c",
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; shift; "$@" >/dev/null 2>&1; rm -rf "$0"',
      dir,
      String(process.pid),
      ...asOwner,
      ...pgCtl,
    ],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore", detached: true },
  ).unref();
  cluster = {
    host: "127.0.0.1",
    port,
    adminUrl: `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${port}/postgres`,
    dir,
  };
  return cluster;
}

/** Runs SQL as the superuser through psql (CREATE DATABASE cannot run in a transaction). */
export function adminSql(sql: string, database = "postgres"): string {
  const { port } = postgresCluster();
  const result = Bun.spawnSync(
    [
      "psql",
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "postgres",
      "-d",
      database,
      "-c",
      sql,
    ],
    { env: { ...process.env, PGPASSWORD: ADMIN_PASSWORD }, stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.toString();
}

let template: string | null = null;

/** A database at the schema's head, copied for each test: applying the schema costs ~0.1 s. */
function schemaTemplate(): string {
  if (template) return template;
  const name = `cafleet_template_${process.pid}`;
  adminSql(`CREATE DATABASE ${name}`);
  const { openDatabase } = require("../../src/broker/db.ts") as typeof import("../../src/broker/db.ts");
  openDatabase({ CAFLEET_DATABASE_URL: urlOf(name) }).db.close();
  template = name;
  return name;
}

function urlOf(name: string): string {
  return `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${postgresCluster().port}/${name}`;
}

/**
 * A new database of the cluster and the URL that names it (as the superuser): at the schema's
 * head, as after a first command, or with `empty` as a team's DBA creates it.
 */
export function freshPostgresDatabase(options: { empty?: boolean } = {}): { url: string; name: string } {
  created += 1;
  const name = `cafleet_${process.pid}_${created}`;
  adminSql(
    options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${schemaTemplate()}`,
  );
  return { url: urlOf(name), name };
}
