import { describe, expect, test } from "bun:test";
import { type Invocation, parseArgv } from "./parse.ts";

/** The values cac's mri changes when it sees them bare: each must reach the command byte for byte. */
const VALUES = ["007", "0012", "1e3", "0x10", "-1", "--json", "", "-", "true", "false", "NaN", " 7 ", "a=b"];

function invocation(argv: string[]): Invocation {
  const parsed = parseArgv(argv);
  if (parsed.kind !== "command") throw new Error(`not a command: ${parsed.kind}`);
  return parsed;
}

const SEND = ["send", "--agent-id", "a", "--to", "b"];

describe("values stay verbatim in front of cac", () => {
  test.each(VALUES)("--text %p", (value) => {
    expect(invocation([...SEND, "--text", value]).options.text).toBe(value);
    expect(invocation([...SEND, `--text=${value}`]).options.text).toBe(value);
  });

  test.each(VALUES)("--session-id %p", (value) => {
    expect(invocation(["--session-id", value, "poll", "--agent-id", "a"]).sessionId).toBe(value);
    expect(invocation([`--session-id=${value}`, "poll", "--agent-id", "a"]).sessionId).toBe(value);
  });

  test.each(VALUES)("positional %p, also right after a flag and after --", (value) => {
    expect(invocation(["session", "show", "--", value]).args).toEqual([value]);
    expect(invocation(["session", "show", "--json", "--", value]).args).toEqual([value]);
    if (!value.startsWith("-"))
      expect(invocation(["session", "show", "--json", value]).args).toEqual([value]);
  });

  test("member create keeps every prompt word, interspersed or after --", () => {
    const create = ["member", "create", "--agent-id", "d", "--name", "n", "--description", "x"];
    expect(invocation([...create, "007", "--install-skills", "1e3", "--", "-1", "--json", ""]).args).toEqual([
      "007",
      "1e3",
      "-1",
      "--json",
      "",
    ]);
  });

  test("a value that looks like an option is still the value; the option after it is parsed", () => {
    const parsed = invocation(["--json", "member", "send-input", "--agent-id", "-1", "--member-id", "0x10"]);
    expect([parsed.json, parsed.options.agentId, parsed.options.memberId]).toEqual([true, "-1", "0x10"]);
    expect(invocation([...SEND, "--text", "--to", "--to", "c"]).options).toEqual({
      agentId: "a",
      to: "c",
      text: "--to",
      replyTo: undefined,
    });
  });

  test("integers are converted by our rules, not mri's", () => {
    expect(invocation(["poll", "--agent-id", "a", "--page-size", "007"]).options.pageSize).toBe(7);
    expect(invocation(["poll", "--agent-id", "a", "--page-size", "1_000"]).options.pageSize).toBe(1000);
    for (const bad of ["1e3", "0x10", "", "1.5"])
      expect(() => invocation(["poll", "--agent-id", "a", "--page-size", bad])).toThrow(
        `Invalid value for '--page-size': '${bad}' is not a valid integer.`,
      );
    expect(() => invocation(["poll", "--agent-id", "a", "--page-size", "-1"])).toThrow(
      "Invalid value for '--page-size': -1 is not a non-negative integer.",
    );
  });

  test("a repeated option: the last one wins", () => {
    expect(invocation(["--session-id", "1", "--session-id", "02", "poll", "--agent-id", "a"]).sessionId).toBe(
      "02",
    );
    expect(invocation([...SEND, "--text", "1", "--text=007"]).options.text).toBe("007");
  });
});

describe("what cac does not do", () => {
  test.each([
    [["poll", "--json", "--agent-id", "a"], "No such option: --json"],
    [["poll", "-h"], "No such option: -h"],
    [["poll", "--no-json"], "No such option: --no-json"],
    [["poll"], "Missing option '--agent-id'."],
    [["poll", "--agent-id"], "Option '--agent-id' requires an argument."],
    [["--json=1", "poll"], "Option '--json' does not take a value."],
    [
      ["member", "send-input", "--agent-id", "a", "--member-id", "b", "--choice", "4"],
      "4 is not in the range 1<=x<=3.",
    ],
    [
      ["member", "create", "--agent-id", "a", "--name", "n", "--description", "d", "--coding-agent", "bash"],
      "'bash' is not one of 'claude', 'codex', 'opencode', 'gemini'.",
    ],
    [["session", "show", "a", "b"], "Got unexpected extra argument (b)"],
    [["session", "delete"], "Missing argument 'SESSION_ID'."],
    [["session", "purge"], "No such command 'purge'."],
    [["env"], "No such command 'env'."],
  ])("%p → %p", (argv, message) => {
    expect(() => parseArgv(argv)).toThrow(message);
  });

  test("--version prints before anything else; --help is eager", () => {
    expect(parseArgv(["--json", "--version", "poll", "--bogus"]).kind).toBe("version");
    expect(parseArgv(["poll", "--page-size", "x", "--help"])).toMatchObject({ kind: "help", exitCode: 0 });
    expect(parseArgv(["member"])).toMatchObject({ kind: "help", exitCode: 2 });
  });
});
