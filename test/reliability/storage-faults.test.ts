import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  BINARY,
  type CliResult,
  type Env,
  isolatedEnv,
  makeTempDir,
  ROOT,
  runCafleet,
} from "../support/cli.ts";
import { failureProblems, fileBytes, isRoot, snapshotFile, startServer } from "./support.ts";

/**
 * Storage faults: read-only database, full disk, newer schema, corrupt file. Each must give one
 * clear error naming the file and what to do, and must leave the file's data as it was.
 */

const SESSION = "5e551011-0000-4000-8000-000000000001";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const NOW = "2026-01-01T00:00:00.000000+00:00";

let root: { dir: string; cleanup: () => void };
const mounts: string[] = [];

beforeAll(() => {
  root = makeTempDir("cafleet-rel-storage-");
}, 60_000);

afterAll(() => {
  for (const mount of mounts.reverse()) Bun.spawnSync(["umount", "-l", mount]);
  root.cleanup();
}, 60_000);

function envFor(path: string): Env {
  return isolatedEnv(root.dir, { CAFLEET_DATABASE_URL: `sqlite:///${path}`, TMUX_TMPDIR: root.dir });
}

/** A database made by the binary itself, holding one session with two agents and one message. */
function seededDatabase(path: string): void {
  const init = runCafleet(["db", "init"], envFor(path));
  expect(init.exitCode).toBe(0);
  const db = new Database(path);
  db.run("INSERT INTO sessions (session_id, label, created_at) VALUES (?, 'storage', ?)", [SESSION, NOW]);
  for (const [id, name] of [
    [ALICE, "alice"],
    [BOB, "bob"],
  ])
    db.run("INSERT INTO agents VALUES (?, ?, ?, 'd', 'active', ?, NULL, ?)", [
      id!,
      SESSION,
      name!,
      NOW,
      JSON.stringify({ name, description: "d", skills: [] }),
    ]);
  db.close();
  const sent = send(path, "first");
  expect(sent.exitCode).toBe(0);
}

function send(path: string, text: string, env: Env = {}): CliResult {
  return runCafleet(["--session-id", SESSION, "send", "--agent-id", ALICE, "--to", BOB, "--text", text], {
    ...envFor(path),
    ...env,
  });
}

function poll(path: string): CliResult {
  return runCafleet(["--session-id", SESSION, "poll", "--agent-id", BOB], envFor(path));
}

/**
 * The read-only and full-disk cases mount a tmpfs of their own, which needs root: without it they
 * are skipped, and say so in their names, rather than passing without having run. CI runs as root.
 */
const CAN_MOUNT = isRoot();
const mounting = (name: string) => (CAN_MOUNT ? name : `${name} (skipped: mounting a tmpfs needs root)`);

function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  const mounted =
    Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]).exitCode === 0;
  if (mounted) mounts.push(dir);
  return mounted;
}

/** The error names the file, says what to do, and is the only line. */
function expectStorageError(result: CliResult, path: string, advice: RegExp): void {
  expect(failureProblems(result)).toEqual([]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain(path);
  expect(result.stderr).toMatch(advice);
}

const POINT_ELSEWHERE = /point CAFLEET_DATABASE_URL at another file/;

describe("a read-only database", () => {
  it.skipIf(!CAN_MOUNT)(
    mounting("on a read-only file system: a write fails naming the file, nothing changes"),
    () => {
      const dir = join(root.dir, "ro-mount");
      expect(mountTmpfs(dir, "4m")).toBe(true);
      const path = join(dir, "cafleet.db");
      seededDatabase(path);
      const before = snapshotFile(path);
      const bytes = fileBytes(path);
      expect(Bun.spawnSync(["mount", "-o", "remount,ro", dir]).exitCode).toBe(0);
      expectStorageError(send(path, "second"), path, /permissions/);
      // Reads may work (when the -shm file is already there) or fail the same clear way.
      for (const result of [poll(path), runCafleet(["db", "init"], envFor(path))])
        if (result.exitCode !== 0) expectStorageError(result, path, /permissions/);
      expect(fileBytes(path).equals(bytes)).toBe(true);
      Bun.spawnSync(["mount", "-o", "remount,rw", dir]);
      expect(snapshotFile(path)).toBe(before);
    },
  );

  it("a write-protected file in a writable folder: the write fails naming the file, nothing changes", () => {
    const dir = join(root.dir, "ro-file");
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const path = join(dir, "cafleet.db");
    seededDatabase(path);
    const before = snapshotFile(path);
    const bytes = fileBytes(path);
    chmodSync(path, 0o444);
    // root ignores file modes, so the binary runs as nobody when the suite runs as root.
    const asUser = isRoot() ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const result = Bun.spawnSync(
      [
        ...asUser,
        BINARY,
        "--session-id",
        SESSION,
        "send",
        "--agent-id",
        ALICE,
        "--to",
        BOB,
        "--text",
        "second",
      ],
      { env: envFor(path) as Record<string, string>, stdout: "pipe", stderr: "pipe" },
    );
    expectStorageError(
      { stdout: result.stdout.toString(), stderr: result.stderr.toString(), exitCode: result.exitCode ?? -1 },
      path,
      /permissions/,
    );
    expect(fileBytes(path).equals(bytes)).toBe(true);
    expect(snapshotFile(path)).toBe(before);
  });
});

describe("a full disk", () => {
  it("fails the write with a disk-full error naming the file, keeps every earlier message, recovers", () => {
    const dir = join(root.dir, "full");
    const path = join(dir, "cafleet.db");
    const mounted = CAN_MOUNT && mountTmpfs(dir, "640k");
    // Without root, a file-size limit stands in for a full disk (SIGXFSZ ignored so write fails).
    const wrap = mounted ? "" : "trap '' XFSZ; ulimit -f 640; ";
    if (!mounted) mkdirSync(dir, { recursive: true });
    seededDatabase(path);
    const big = "x".repeat(100 * 1024);
    let failure: CliResult | undefined;
    let stored = 1;
    for (let attempt = 0; attempt < 40 && !failure; attempt++) {
      const before = snapshotFile(path);
      const proc = Bun.spawnSync(
        [
          "bash",
          "-c",
          `${wrap}exec "$@"`,
          "cafleet",
          BINARY,
          "--session-id",
          SESSION,
          "send",
          "--agent-id",
          ALICE,
          "--to",
          BOB,
          "--text",
          `${attempt}${big}`,
        ],
        { env: envFor(path) as Record<string, string>, stdout: "pipe", stderr: "pipe" },
      );
      const result = {
        stdout: proc.stdout.toString(),
        stderr: proc.stderr.toString(),
        exitCode: proc.exitCode ?? -1,
      };
      if (result.exitCode === 0) {
        stored++;
        continue;
      }
      failure = result;
      expect(snapshotFile(path)).toBe(before);
    }
    if (!failure) throw new Error("the disk never filled");
    console.log(`storage: disk full after ${stored} messages: ${failure.stderr.trim()}`);
    expectStorageError(failure, path, /full|space/i);
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT COUNT(*) AS n FROM tasks").get()).toEqual({ n: stored });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
    if (mounted) {
      Bun.spawnSync(["mount", "-o", "remount,size=8m", dir]);
      expect(send(path, "after space was freed").exitCode).toBe(0);
    }
  });
});

describe("a database from a newer cafleet", () => {
  for (const mode of ["wal", "delete"]) {
    it(`(journal_mode ${mode}) is refused with the spec's message and left byte for byte as it was`, () => {
      const path = join(root.dir, `newer-${mode}.db`);
      seededDatabase(path);
      const db = new Database(path);
      db.run(`PRAGMA journal_mode = ${mode}`);
      db.run("PRAGMA user_version = 99");
      db.close();
      const bytes = fileBytes(path);
      for (const result of [send(path, "second"), poll(path), runCafleet(["db", "init"], envFor(path))]) {
        expect(failureProblems(result)).toEqual([]);
        expect(result.stderr).toBe(
          "Error: DB schema is at version 99 which is unknown to this version of cafleet. Refusing to downgrade automatically.\n",
        );
      }
      expect(fileBytes(path).equals(bytes)).toBe(true);
      expect(existsSync(`${path}-wal`) && fileBytes(`${path}-wal`).length > 0).toBe(false);
    });
  }

  it("a foreign program's database is refused and left byte for byte as it was", () => {
    const path = join(root.dir, "foreign.db");
    const db = new Database(path);
    db.run("CREATE TABLE notes (body TEXT)");
    db.run("INSERT INTO notes VALUES ('keep me')");
    db.close();
    const bytes = fileBytes(path);
    expectStorageError(poll(path), path, POINT_ELSEWHERE);
    expect(fileBytes(path).equals(bytes)).toBe(true);
  });
});

describe("a corrupt file", () => {
  it("random bytes: every command names the file and leaves it alone", () => {
    const path = join(root.dir, "garbage.db");
    const garbage = new Uint8Array(16384).map((_, index) => (index * 7919) % 251);
    Bun.write(path, garbage);
    for (const result of [send(path, "x"), poll(path), runCafleet(["db", "init"], envFor(path))])
      expectStorageError(result, path, POINT_ELSEWHERE);
    expect(fileBytes(path).equals(Buffer.from(garbage))).toBe(true);
  });

  it("a damaged tasks page: the error comes mid-command, names the file, and nothing is rewritten", () => {
    const path = join(root.dir, "damaged.db");
    seededDatabase(path);
    for (let index = 0; index < 30; index++)
      expect(send(path, `filler ${index} ${"y".repeat(2000)}`).exitCode).toBe(0);
    const db = new Database(path);
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    const { page_size } = db.query("PRAGMA page_size").get() as { page_size: number };
    const { rootpage } = db.query("SELECT rootpage FROM sqlite_master WHERE name = 'tasks'").get() as {
      rootpage: number;
    };
    db.close();
    const fd = openSync(path, "r+");
    writeSync(fd, new Uint8Array(64).fill(0xee), 0, 64, (rootpage - 1) * page_size);
    closeSync(fd);
    const bytes = fileBytes(path);
    for (const result of [send(path, "x"), poll(path)]) expectStorageError(result, path, POINT_ELSEWHERE);
    expect(fileBytes(path).equals(bytes)).toBe(true);
  });

  it("a truncated file names the file", () => {
    const path = join(root.dir, "truncated.db");
    seededDatabase(path);
    const db = new Database(path);
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    const whole = fileBytes(path);
    Bun.write(path, whole.subarray(0, 4096 + 100));
    const bytes = fileBytes(path);
    const result = poll(path);
    expectStorageError(result, path, POINT_ELSEWHERE);
    expect(fileBytes(path).equals(bytes)).toBe(true);
  });
});

describe("file modes", () => {
  it("creates the folder 0700 and the database, -wal and -shm 0600 even under umask 000", () => {
    const folder = join(root.dir, "modes", "nested");
    const path = join(folder, "cafleet.db");
    const env = envFor(path) as Record<string, string>;
    const proc = Bun.spawnSync(["bash", "-c", 'umask 000; exec "$@"', "cafleet", BINARY, "db", "init"], {
      env,
    });
    expect(proc.exitCode).toBe(0);
    // Keep a connection open so the -wal and -shm files exist while their modes are read.
    const db = new Database(path);
    db.run("CREATE TEMP TABLE t (x)");
    db.query("SELECT COUNT(*) FROM sessions").get();
    const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
    expect(mode(folder)).toBe("700");
    expect(mode(path)).toBe("600");
    for (const suffix of ["-wal", "-shm"])
      if (existsSync(path + suffix)) expect(mode(path + suffix)).toBe("600");
    db.close();
  });
});

describe.skipIf(!existsSync(join(ROOT, "src/server/app.ts")))("the server on a full disk", () => {
  it.skipIf(!CAN_MOUNT)(
    mounting("answers the failed write with a 500 naming the file, keeps serving, and recovers"),
    async () => {
      const dir = join(root.dir, "server-full");
      expect(mountTmpfs(dir, "640k")).toBe(true);
      const path = join(dir, "cafleet.db");
      seededDatabase(path);
      const server = await startServer({ env: envFor(path), dir: root.dir });
      try {
        const post = (text: string) =>
          fetch(`${server.base}/ui/api/messages/send`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-session-id": SESSION },
            body: JSON.stringify({ from_agent_id: ALICE, to_agent_id: BOB, text }),
          });
        let stored = 1;
        let failed: Response | undefined;
        for (let attempt = 0; attempt < 40 && !failed; attempt++) {
          const response = await post(`${attempt}${"z".repeat(100 * 1024)}`);
          if (response.status === 200) stored++;
          else failed = response;
        }
        if (!failed) throw new Error("the disk never filled");
        const body = (await failed.json()) as { error: string; detail: string };
        console.log(`storage: server disk full after ${stored} messages: ${failed.status} ${body.error}`);
        expect(failed.status).toBe(500);
        expect(body.error).toContain(path);
        expect(body.error).toMatch(/full/);
        const sessions = await fetch(`${server.base}/ui/api/sessions`);
        expect(sessions.status).toBe(200);
        const db = new Database(path, { readonly: true });
        expect(db.query("SELECT COUNT(*) AS n FROM tasks").get()).toEqual({ n: stored });
        db.close();
        Bun.spawnSync(["mount", "-o", "remount,size=8m", dir]);
        expect((await post("after space was freed")).status).toBe(200);
      } finally {
        server.proc.kill("SIGKILL");
        await server.proc.exited;
      }
    },
  );
});

describe("database URLs that cannot work", () => {
  const sessionList = (url: string) =>
    runCafleet(
      ["session", "list"],
      { ...envFor(join(root.dir, "unused.db")), CAFLEET_DATABASE_URL: url },
      { cwd: root.dir },
    );

  it("an in-memory database is refused: it would lose every message when the command exits", () => {
    const result = sessionList("sqlite:///:memory:");
    expect(failureProblems(result)).toEqual([]);
    expect(result.stderr).toContain(":memory:");
    expect(result.stderr).toMatch(/file/);
    expect(existsSync(join(root.dir, ":memory:"))).toBe(false);
  });

  for (const [name, path, advice] of [
    ["a folder", () => root.dir, POINT_ELSEWHERE],
    ["/dev/null", () => "/dev/null", POINT_ELSEWHERE],
    ["a name too long", () => join(root.dir, `${"n".repeat(300)}.db`), POINT_ELSEWHERE],
    ["a folder too long", () => join(root.dir, "d".repeat(300), "x.db"), POINT_ELSEWHERE],
    ["a file used as a folder", () => join(root.dir, "garbage-parent", "x.db"), POINT_ELSEWHERE],
  ] as const)
    it(`${name}: one line naming the path and what to do`, () => {
      Bun.write(join(root.dir, "garbage-parent"), "not a folder");
      const target = path();
      const result = sessionList(`sqlite:///${target}`);
      expectStorageError(result, target.slice(0, 60), advice);
    });
});
