import { type CAC, type Command, cac } from "cac";
import { UsageError } from "../errors.ts";
import { type Shielded, shieldArgv, verbatim } from "./argv.ts";
import { COMMANDS } from "./commands.ts";
import { type CommandDef, type Group, type Options, readValues, type Values } from "./options.ts";

/** argv → the command to run, its help, or the version (cli.md §1), with cac doing the matching. */

export type Invocation = {
  kind: "command";
  path: string;
  def: CommandDef;
  sessionId: string;
  json: boolean;
  options: Values<Options>;
  args: string[];
};

export type ParseOutcome =
  | Invocation
  | { kind: "version" }
  /** `--help` prints to stdout (exit 0); a bare `cafleet` or group to stderr with exit 2, as Click ≥ 8.2. */
  | { kind: "help"; text: string; exitCode: 0 | 2 };

type Globals = { sessionId: string; json: boolean };

/**
 * One cac program per level, the top and each group, since cac matches one word per command. All
 * are named `cafleet` and each usage line holds the whole path; cac's "For more info" section is
 * dropped because it would name a group's commands without their group.
 */
function program(entries: Record<string, CommandDef | Group>, group = ""): CAC {
  const cli = cac("cafleet").option("--help", "Show this message and exit.");
  cli.globalCommand.helpCallback = (sections) =>
    sections.filter(({ title }) => !title?.startsWith("For more info"));
  cli.usage(group ? `${group} <command> [options]` : "[--session-id <id>] [--json] <command> [options]");
  for (const [word, entry] of Object.entries(entries)) {
    const name = "args" in entry && entry.args ? `${word} ${entry.args}` : word;
    const command = cli.command(name, entry.summary);
    if (!("options" in entry)) continue;
    const session = entry.needsSession ? "--session-id <id> " : "";
    command.usage(
      `${session}${group ? `${group} ` : ""}${word} [options]${entry.args ? ` ${entry.args}` : ""}`,
    );
    for (const option of Object.values(entry.options)) command.option(option.flags, option.help);
  }
  return cli;
}

function helpText(command: Command): string {
  const printed: string[] = [];
  const print = console.info;
  console.info = (text: string) => printed.push(text);
  try {
    command.outputHelp();
  } finally {
    console.info = print;
  }
  // cac ends every option line with a space (where a default would go).
  return `${printed.join("\n").replace(/ +$/gm, "")}\n`;
}

export function parseArgv(argv: string[]): ParseOutcome {
  const cli = program(COMMANDS)
    .option("--session-id <id>", "Session of agent and member commands (before the command).")
    .option("--json", "Print JSON instead of text (before the command).")
    .option("--version", "Print the version and exit.");
  const leading = shieldArgv(argv, cli.globalCommand.options, { untilWord: true, eager: "--version" });
  if (leading.stoppedBy) return { kind: "version" };
  if (leading.rest.length === 0 && !leading.options.includes("--help")) {
    // Click: no arguments at all shows the help; global flags without a command are a usage error.
    if (argv.length > 0) throw new UsageError("Missing command.");
    return { kind: "help", text: helpText(cli.globalCommand), exitCode: 2 };
  }
  return parseLevel(cli, COMMANDS, leading, "");
}

/** One level: the options before the word, the word cac matches, then that command's own tokens. */
function parseLevel(
  cli: CAC,
  entries: Record<string, CommandDef | Group>,
  leading: Shielded,
  group: string,
  globals?: Globals,
): ParseOutcome {
  if (leading.options.includes("--help"))
    return { kind: "help", text: helpText(cli.globalCommand), exitCode: 0 };
  const [word, ...tail] = leading.rest;
  if (word === undefined) return { kind: "help", text: helpText(cli.globalCommand), exitCode: 2 };
  const command = cli.commands.find((candidate) => candidate.isMatched(word));
  const entry = entries[word];
  if (!command || !entry) throw new UsageError(`No such command '${word}'.`);
  const help = cli.globalCommand.options.filter((option) => option.name === "help");
  const own = "commands" in entry ? undefined : shieldArgv(tail, [...command.options, ...help]);
  cli.parse(["", "", word, ...(own?.positionals ?? []), ...leading.options, ...(own?.options ?? [])], {
    run: false,
  });
  const parsed = cli.options;
  const level = globals ?? {
    sessionId: String(verbatim(parsed.sessionId) ?? ""),
    json: parsed.json === true,
  };
  if ("commands" in entry) {
    const sub = program(entry.commands, word);
    return parseLevel(
      sub,
      entry.commands,
      shieldArgv(tail, sub.globalCommand.options, { untilWord: true }),
      word,
      level,
    );
  }
  if (parsed.help) return { kind: "help", text: helpText(command), exitCode: 0 };

  const given: Record<string, unknown> = {};
  Object.keys(entry.options).forEach((key, index) => {
    given[key] = verbatim(parsed[command.options[index]!.name]);
  });
  const options = readValues(entry.options, given);
  const args = cli.args.map((arg) => String(verbatim(arg)));
  const missing = command.args.find((arg, index) => arg.required && args[index] === undefined);
  if (missing) throw new UsageError(`Missing argument '${missing.value.toUpperCase()}'.`);
  const extra = command.args.some((arg) => arg.variadic) ? [] : args.slice(command.args.length);
  if (extra.length > 0)
    throw new UsageError(`Got unexpected extra argument${extra.length > 1 ? "s" : ""} (${extra.join(" ")})`);
  const path = group ? `${group} ${word}` : word;
  return {
    kind: "command",
    path,
    def: entry,
    ...level,
    json: level.json || options.json === true,
    options,
    args,
  };
}
