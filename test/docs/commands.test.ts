import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgv } from "../../src/cli/parse.ts";
import { checkCommand, commandArgv, extractCommands, type QuotedCommand } from "./extract.ts";

const ROOT = join(import.meta.dir, "../..");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return path.endsWith(".md") ? [path] : [];
  });
}

const FILES = [...markdownFiles(join(ROOT, "skills")), join(ROOT, "README.md")].sort();
const QUOTED: QuotedCommand[] = FILES.flatMap((path) =>
  extractCommands(relative(ROOT, path), readFileSync(path, "utf8")),
);

describe("every cafleet command quoted in skills/ and README.md", () => {
  test("is accepted by the real CLI parser", () => {
    const failures = QUOTED.flatMap((quoted) =>
      checkCommand(quoted).map(
        (problem) => `${quoted.file}:${quoted.line}: ${quoted.text}\n    → ${problem}`,
      ),
    );
    expect(failures.join("\n")).toBe("");
  });

  test("the extraction found the commands the skills teach", () => {
    const perFile = (file: string) => QUOTED.filter((quoted) => quoted.file === file).length;
    expect(QUOTED.length).toBeGreaterThan(60);
    expect(perFile("skills/cafleet/SKILL.md")).toBeGreaterThan(25);
    expect(perFile("skills/cafleet/roles/director.md")).toBeGreaterThanOrEqual(10);
    expect(perFile("skills/cafleet-monitoring/SKILL.md")).toBeGreaterThanOrEqual(4);
    expect(perFile("README.md")).toBeGreaterThanOrEqual(3);
    // The command path of each full command the skills show (`member create`, `poll`, …).
    const shown = new Set(
      QUOTED.filter((quoted) => quoted.file.startsWith("skills/")).flatMap((quoted) => {
        // Names in prose and commands the first test rejects do not count as shown.
        if (quoted.where === "inline" && !quoted.text.includes("--")) return [];
        if (checkCommand(quoted).length > 0) return [];
        const parsed = parseArgv(commandArgv(quoted));
        return parsed.kind === "command" ? [parsed.path] : [];
      }),
    );
    // Every command of the CLI is shown in a skill at least once.
    for (const path of [
      "session create",
      "session list",
      "session show",
      "session delete",
      "register",
      "send",
      "broadcast",
      "poll",
      "ack",
      "cancel",
      "get-task",
      "search",
      "agents",
      "deregister",
      "member create",
      "member list",
      "member capture",
      "member send-input",
      "member delete",
      "doctor",
      "server",
      "db init",
      "skills install",
    ])
      expect([path, shown.has(path)]).toEqual([path, true]);
  });
});

describe("the checker itself", () => {
  const check = (text: string, where: "block" | "inline" = "block") =>
    checkCommand({ file: "skills/x/SKILL.md", text, where });

  test("accepts correct commands", () => {
    expect(
      check("cafleet --session-id <session-id> poll --agent-id <my-agent-id> --since <last-timestamp>"),
    ).toEqual([]);
    expect(
      check("cafleet --json --session-id <session-id> poll --agent-id <my-agent-id> --wait 600"),
    ).toEqual([]);
    expect(check("cafleet session list --json")).toEqual([]);
    expect(check("cafleet member list", "inline")).toEqual([]);
    // README examples may use shell variables; skills may not (checked below).
    expect(
      checkCommand({ file: "README.md", text: "cafleet --session-id $S poll --agent-id $A", where: "block" }),
    ).toEqual([]);
    expect(
      check(
        'cafleet --session-id <s> member create --agent-id <d> --name A --description "x" -- \'Hi {agent_id}, use {{"a": 1}}\'',
      ),
    ).toEqual([]);
  });

  test("rejects a flag that does not exist", () => {
    expect(check("cafleet --session-id <session-id> poll --agent-id <id> --bogus 1")).toEqual([
      "the CLI parser rejects it: No such option: --bogus",
    ]);
  });

  test("rejects a global flag after the command word", () => {
    expect(check("cafleet poll --session-id <s> --agent-id <id>")).toEqual([
      "the CLI parser rejects it: No such option: --session-id",
    ]);
    expect(check("cafleet --session-id <s> poll --json --agent-id <id>")).toEqual([
      "the CLI parser rejects it: No such option: --json",
    ]);
  });

  test("rejects a missing required option or session id", () => {
    expect(check("cafleet --session-id <s> ack --agent-id <id>")).toEqual([
      "the CLI parser rejects it: Missing option '--task-id'.",
    ]);
    expect(check("cafleet poll --agent-id <id>")).toEqual([
      "'poll' needs --session-id before the command word",
    ]);
  });

  test("rejects unknown commands, shell variables and bad custom prompts", () => {
    expect(check("cafleet member kill", "inline")).toEqual(["no such command: member kill"]);
    expect(check("cafleet --session-id <s> client send --agent-id <a>")).toEqual([
      "the CLI parser rejects it: No such command 'client'.",
    ]);
    expect(check("cafleet --session-id $SID poll --agent-id <a>")).toEqual([
      "a shell variable or substitution: ids must be literal",
    ]);
    expect(
      check(
        "cafleet --session-id <s> member create --agent-id <d> --name A --description x -- 'Do {task} with {'",
      ),
    ).toEqual(["custom prompt: unknown placeholder '{task'", "custom prompt: unknown placeholder '{'"]);
  });

  test("finds commands in code blocks, continuation lines and wrapped inline spans", () => {
    const markdown = [
      "Run `cafleet --session-id <s> poll",
      "--agent-id <a>` now.",
      "",
      "```bash",
      "cafleet --session-id <s> send --agent-id <a> \\",
      '  --to <b> --text "two',
      'lines"',
      "echo not a command",
      "```",
    ].join("\n");
    expect(extractCommands("x.md", markdown)).toEqual([
      { file: "x.md", line: 1, text: "cafleet --session-id <s> poll --agent-id <a>", where: "inline" },
      {
        file: "x.md",
        line: 5,
        text: 'cafleet --session-id <s> send --agent-id <a>  --to <b> --text "two\nlines"',
        where: "block",
      },
    ]);
  });
});
