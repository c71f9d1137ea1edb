import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { isValue, longFlag } from "../../src/cli/options.ts";
import { parseArgv } from "../../src/cli/parse.ts";
import { CafleetError } from "../../src/errors.ts";
import { BINARY } from "../support/cli.ts";
import { COMMAND_LIST, isNumeric } from "../support/commands.ts";
import {
  crashProblems,
  integrityProblems,
  knob,
  Sandbox,
  type SessionIds,
  seededRandom,
  seedFromEnv,
  snapshot,
} from "./support.ts";

/**
 * Seeded fuzzing of the argv grammar: thousands of random argv through parseArgv in-process,
 * then a few hundred through the real binary against a real database. Replay a failure with
 * CAFLEET_FUZZ_SEED=<seed printed in the log>.
 */
const SEED = seedFromEnv("CAFLEET_FUZZ_SEED");
const PARSER_CASES = knob("CAFLEET_FUZZ_PARSER_CASES", 20000);
const BINARY_CASES = knob("CAFLEET_FUZZ_BINARY_CASES", 500);
const BINARY_SECONDS = knob("CAFLEET_FUZZ_SECONDS", 45);

const WORDS = [...new Set(COMMAND_LIST.flatMap(({ words }) => words)), "env", "client"];
const FLAGS = [
  ...new Set([
    ...COMMAND_LIST.flatMap(({ def }) => Object.values(def.options).map(longFlag)),
    "--session-id",
    "--json",
    "--help",
    "--version",
    "-f",
    "-h",
    "--",
    "-",
    "--no-such-flag",
    "---",
  ]),
];
const VALUES = [
  "",
  "0",
  "1",
  "3",
  "4",
  "-1",
  "0.05",
  "1_000",
  " 7 ",
  "1e3",
  "NaN",
  "Infinity",
  "0x10",
  "claude",
  "codex",
  "[]",
  "{}",
  '[{"id":"x"}]',
  "[1,",
  "2026-01-01T00:00:00Z",
  "not a date",
  "日本語",
  "\u{1F600}",
  "a\nb",
  "$(id)",
  "'; DROP TABLE tasks; --",
  "%s%n",
  "\uFFFD",
  "x".repeat(5000),
];

/** Messages that only a bug produces: an argv should never be able to reach them. */
const INTERNAL_ERROR =
  /datatype mismatch|constraint failed|no such (table|column)|SQLITE_|Maximum call stack|is not a function|Cannot read properties|undefined is not|is not an object/;
const NUMBERS = [
  "0",
  "1",
  "2",
  "3",
  "5",
  "-1",
  "0.01",
  "1_0",
  " 4 ",
  "abc",
  "",
  "99999999999999999999",
  "-0",
  "+7",
];

/** Half the cases follow a command's own shape (then get mutated); half are token soup. */
function randomArgv(random: () => number, ids: string[]): string[] {
  return random() < 0.5 ? shapedArgv(random, ids) : soupArgv(random, ids);
}

function shapedArgv(random: () => number, ids: string[]): string[] {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const { words, def } = pick(COMMAND_LIST);
  const argv = def.needsSession || random() < 0.3 ? ["--session-id", pick(ids)] : [];
  if (random() < 0.3) argv.push("--json");
  argv.push(...words);
  for (const option of Object.values(def.options)) {
    const valued = isValue(option);
    if (random() > (valued && option.required ? 0.9 : 0.4)) continue;
    argv.push(longFlag(option));
    if (!valued) continue;
    const value =
      option.choices && random() < 0.7
        ? pick([...option.choices])
        : isNumeric(option)
          ? pick(NUMBERS)
          : pick(random() < 0.6 ? ids : VALUES);
    argv.push(value);
  }
  if (def.args) argv.push(pick(random() < 0.5 ? ids : VALUES));
  const mutations = Math.floor(random() * 3);
  for (let index = 0; index < mutations; index++) {
    const at = Math.floor(random() * (argv.length + 1));
    if (random() < 0.5) argv.splice(at, 1);
    else argv.splice(at, 0, pick(random() < 0.5 ? FLAGS : VALUES));
  }
  return argv;
}

function soupArgv(random: () => number, ids: string[]): string[] {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const pools = [WORDS, FLAGS, VALUES, ids];
  const argv: string[] = [];
  if (random() < 0.6) argv.push("--session-id", pick(ids));
  if (random() < 0.2) argv.push("--json");
  if (random() < 0.8) argv.push(pick(WORDS));
  const length = Math.floor(random() * 8);
  for (let index = 0; index < length; index++) {
    const roll = random();
    if (roll < 0.1) argv.push(`${pick(FLAGS)}=${pick(VALUES)}`);
    else if (roll < 0.15)
      argv.push(
        String.fromCharCode(
          ...Array.from({ length: 1 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * 0x2fff)),
        ),
      );
    else argv.push(pick(pools[Math.floor(random() * pools.length)]!));
  }
  return argv;
}

describe("parseArgv in-process", () => {
  it("returns an outcome or throws a usage error (exit 2), whatever the argv", () => {
    const random = seededRandom(SEED);
    const tally = { command: 0, help: 0, version: 0, usage: 0 };
    const problems: string[] = [];
    const ids = ["s-1", "a-1", "00000000-0000-4000-8000-000000000000"];
    for (let index = 0; index < PARSER_CASES; index++) {
      const argv = randomArgv(random, ids);
      try {
        const outcome = parseArgv(argv);
        tally[outcome.kind]++;
        if (outcome.kind !== "command") continue;
        for (const [key, option] of Object.entries(outcome.def.options)) {
          const value = outcome.options[key];
          const flag = longFlag(option);
          if (value === undefined) {
            if (isValue(option) && option.required)
              problems.push(`${JSON.stringify(argv)}: required ${flag} missing`);
            continue;
          }
          const expected = !isValue(option) ? "boolean" : isNumeric(option) ? "number" : "string";
          if (typeof value !== expected) problems.push(`${JSON.stringify(argv)}: ${flag} is ${typeof value}`);
          if (isValue(option) && option.choices && !option.choices.includes(String(value)))
            problems.push(`${JSON.stringify(argv)}: ${flag}=${value} not a choice`);
        }
      } catch (error) {
        // Click-style messages quote the offending token, so a newline may only come from the argv.
        const newline = error instanceof Error && error.message.includes("\n");
        const echoed = !newline || argv.some((token) => token.includes("\n"));
        if (error instanceof CafleetError && error.exitCode === 2 && echoed) tally.usage++;
        else problems.push(`${JSON.stringify(argv).slice(0, 200)}: ${String(error)}`);
      }
    }
    console.log(`fuzz parser: seed ${SEED}, ${PARSER_CASES} cases ${JSON.stringify(tally)}`);
    expect(problems).toEqual([]);
    expect(tally.command).toBeGreaterThan(0);
    expect(tally.usage).toBeGreaterThan(0);
  });
});

describe("the real binary on random argv", () => {
  let sandbox: Sandbox;
  let ids: SessionIds;
  let agents: string[];

  beforeAll(() => {
    sandbox = new Sandbox("fuzz");
    ids = sandbox.createSession("fuzz");
    agents = [sandbox.register(ids.sessionId, "a"), sandbox.register(ids.sessionId, "b")];
  }, 60_000);

  afterAll(() => sandbox.dispose());

  it(
    "never crashes, exits 0/1/2, and writes only when it succeeds",
    () => {
      const random = seededRandom(SEED ^ 0x5eed);
      const db = sandbox.open();
      const pool = [ids.sessionId, ids.directorId, ids.administratorId, ...agents, "no-such-id"];
      const tally: Record<string, number> = { 0: 0, 1: 0, 2: 0 };
      const problems: string[] = [];
      const deadline = performance.now() + BINARY_SECONDS * 1000;
      let cases = 0;
      const errors = new Set<string>();
      for (; cases < BINARY_CASES && performance.now() < deadline; cases++) {
        // `server` blocks by design; a long --wait would only burn the time budget.
        const argv = randomArgv(random, pool).map((token) => (token === "server" ? "doctor" : token));
        const waitAt = argv.indexOf("--wait");
        if (waitAt >= 0 && argv[waitAt + 1] !== undefined) argv[waitAt + 1] = "0";
        const before = snapshot(db);
        const proc = Bun.spawnSync([BINARY, ...argv], {
          env: sandbox.env as Record<string, string>,
          cwd: sandbox.dir,
          stdout: "pipe",
          stderr: "pipe",
          stdin: "ignore",
          timeout: 15_000,
        });
        const result = {
          stdout: proc.stdout.toString(),
          stderr: proc.stderr.toString(),
          exitCode: proc.exitCode ?? -1,
        };
        const label = JSON.stringify(argv).slice(0, 300);
        if (proc.exitedDueToTimeout) problems.push(`${label}: hung`);
        problems.push(...crashProblems(result).map((problem) => `${label}: ${problem}`));
        tally[result.exitCode] = (tally[result.exitCode] ?? 0) + 1;
        if (result.exitCode === 1) errors.add(result.stderr.replace(/[0-9a-f-]{36}/g, "<id>").slice(0, 160));
        if (result.exitCode !== 0) {
          // A group or the bare command without a subcommand prints its help and exits 2 (Click).
          const help =
            result.exitCode === 2 && `${result.stdout}${result.stderr}`.includes("Usage:\n  $ cafleet ");
          if (!/^Error: /m.test(result.stderr) && !help)
            problems.push(`${label}: failed without an Error: line: ${result.stderr.slice(0, 200)}`);
          if (snapshot(db) !== before)
            problems.push(`${label}: exit ${result.exitCode} but the database changed`);
          if (INTERNAL_ERROR.test(result.stderr))
            problems.push(`${label}: internal error leaked: ${result.stderr}`);
        }
      }
      expect(integrityProblems(db)).toEqual([]);
      db.close();
      console.log(`fuzz binary: seed ${SEED}, ${cases} runs, exit codes ${JSON.stringify(tally)}`);
      // CAFLEET_FUZZ_LOG=1 lists the distinct runtime errors met, for a human to judge their wording.
      if (process.env.CAFLEET_FUZZ_LOG) console.log([...errors].sort().join(""));
      expect(problems).toEqual([]);
      expect(cases).toBeGreaterThan(50);
    },
    (BINARY_SECONDS + 60) * 1000,
  );
});
