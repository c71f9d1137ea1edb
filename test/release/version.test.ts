/** `cafleet version` of the compiled binary: the version, bun:sqlite's SQLite and the build target. */
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hostTarget } from "../../build.ts";
import { version } from "../../package.json" with { type: "json" };
import { isolatedEnv, makeTempDir, runCafleet } from "../support/cli.ts";

const temp = makeTempDir("cafleet-version-");
const env = isolatedEnv(temp.dir);
afterAll(() => temp.cleanup());

// The binary embeds the same Bun, hence the same SQLite, as the test runner.
const sqlite = (() => {
  const db = new Database(":memory:");
  const row = db.query<{ v: string }, []>("SELECT sqlite_version() AS v").get();
  db.close();
  return row!.v;
})();

test("text: three stable lines", () => {
  expect(runCafleet(["version"], env)).toEqual({
    stdout: `cafleet ${version}\nsqlite ${sqlite}\ntarget ${hostTarget()}\n`,
    stderr: "",
    exitCode: 0,
  });
});

test("--json after the command and as the global flag", () => {
  const expected = {
    stdout: `${JSON.stringify({ version, sqlite, target: hostTarget() }, null, 2)}\n`,
    stderr: "",
    exitCode: 0,
  };
  expect(runCafleet(["version", "--json"], env)).toEqual(expected);
  expect(runCafleet(["--json", "version"], env)).toEqual(expected);
});

test("needs no session, ignores --session-id, and never creates the database", () => {
  const result = runCafleet(["--session-id", "whatever", "version"], env);
  expect(result.exitCode).toBe(0);
  expect(result.stdout.split("\n")[0]).toBe(`cafleet ${version}`);
  expect(existsSync(join(temp.dir, "cafleet.db"))).toBe(false);
  expect(existsSync(join(temp.dir, ".local"))).toBe(false);
});

test("--version stays the spec's one line and `version` rejects stray arguments", () => {
  expect(runCafleet(["--version", "version", "--bogus"], env)).toEqual({
    stdout: `cafleet ${version}\n`,
    stderr: "",
    exitCode: 0,
  });
  const bad = runCafleet(["version", "--bogus"], env);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.trimEnd().split("\n").at(-1)).toBe("Error: No such option: --bogus");
});

test("cafleet --help lists the command", () => {
  expect(runCafleet(["--help"], env).stdout).toContain(
    "\n  version     Print the version, the SQLite version and the build target.\n",
  );
});
