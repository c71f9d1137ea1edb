import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import { type Env, isolatedEnv, makeTempDir, runCafleet } from "../support/cli.ts";
import { GOLDEN, GOLDEN_CASES, seedGoldenInbox } from "../support/golden-inbox.ts";

/**
 * Plain `poll` is what scripts parse: on a fixed inbox its text and JSON stay byte for byte what
 * was recorded in test/fixtures/poll-golden/ before any later change to poll.
 */

const FIXTURES = join(import.meta.dir, "../fixtures/poll-golden");

let env: Env;
let cleanup: () => void;

beforeAll(() => {
  const temp = makeTempDir("cafleet-golden-");
  cleanup = temp.cleanup;
  env = isolatedEnv(temp.dir);
  const { db } = openDatabase(env);
  seedGoldenInbox(db);
  db.close();
});
afterAll(() => cleanup());

describe("plain poll on a fixed inbox", () => {
  for (const { name, args } of GOLDEN_CASES)
    it(`prints exactly the recorded ${name} output, on the first and a repeated poll`, () => {
      const expected = readFileSync(join(FIXTURES, `${name}.out`), "utf8");
      for (let round = 0; round < 2; round++)
        expect(runCafleet(["--session-id", GOLDEN.sessionId, ...args], env)).toEqual({
          stdout: expected,
          stderr: "",
          exitCode: 0,
        });
    });

  it("prints the same bytes after --count, --new and --unread have read and marked the inbox", () => {
    for (const mode of ["--count", "--new", "--unread"])
      expect(
        runCafleet(["--session-id", GOLDEN.sessionId, "poll", "--agent-id", GOLDEN.bobId, mode], env)
          .exitCode,
      ).toBe(0);
    for (const { name, args } of GOLDEN_CASES)
      expect(runCafleet(["--session-id", GOLDEN.sessionId, ...args], env).stdout).toBe(
        readFileSync(join(FIXTURES, `${name}.out`), "utf8"),
      );
  });
});
