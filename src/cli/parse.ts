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

type Entries = Record<string, CommandDef | Group>;

/**
 * One cac program per level, the top and each group, since cac matches one word per command. All
 * are named `cafleet` and each usage line holds the whole path; cac's "For more info" section is
 * dropped because it would name a group's commands without their group.
 */
function program(group: string): CAC {
  const cli = cac("cafleet").option("--help", "Show this message and exit.");
  cli.globalCommand.helpCallback = (sections) =>
    sections.filter(({ title }) => !title?.startsWith("For more info"));
  if (group) return cli.usage(`${group} <command> [options]`);
  return cli
    .usage("[--session-id <id>] [--json] <command> [options]")
    .option("--session-id <id>", "Session of agent and member commands (before the command).")
    .option("--json", "Print JSON instead of text (before the command).")
    .option("--version", "Print the version and exit.");
}

/**
 * Declares one command of the level. cac runs its parser once per declared command, which costs
 * 1-3 ms for all of them in the compiled binary (agents run it hundreds of times an hour): a
 * parse declares only the command its word names, a help text all of them.
 */
function declare(cli: CAC, group: string, word: string, entry: CommandDef | Group): Command {
  const args = "args" in entry && entry.args ? ` ${entry.args}` : "";
  const command = cli.command(`${word}${args}`, entry.summary);
  if ("commands" in entry) return command;
  const session = entry.needsSession ? "--session-id <id> " : "";
  command.usage(`${session}${group ? `${group} ` : ""}${word} [options]${args}`);
  for (const option of Object.values(entry.options)) command.option(option.flags, option.help);
  return command;
}

/** The level's `--help`, the first option `program` declares. */
const HELP = (cli: CAC) => cli.globalCommand.options[0]!;

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

function levelHelp(cli: CAC, group: string, entries: Entries, exitCode: 0 | 2): ParseOutcome {
  for (const [word, entry] of Object.entries(entries)) declare(cli, group, word, entry);
  return { kind: "help", text: helpText(cli.globalCommand), exitCode };
}

export function parseArgv(argv: string[]): ParseOutcome {
  const cli = program("");
  const leading = shieldArgv(argv, cli.globalCommand.options, { untilWord: true, eager: "--version" });
  if (leading.stoppedBy) return { kind: "version" };
  if (leading.rest.length === 0 && !leading.options.includes("--help")) {
    // Click: no arguments at all shows the help; global flags without a command are a usage error.
    if (argv.length > 0) throw new UsageError("Missing command.");
    return levelHelp(cli, "", COMMANDS, 2);
  }
  return parseLevel(cli, COMMANDS, leading, "");
}

/** One level: the options before the word, the word cac matches, then that command's own tokens. */
function parseLevel(
  cli: CAC,
  entries: Entries,
  leading: Shielded,
  group: string,
  globals?: Globals,
): ParseOutcome {
  if (leading.options.includes("--help")) return levelHelp(cli, group, entries, 0);
  const [word, ...tail] = leading.rest;
  if (word === undefined) return levelHelp(cli, group, entries, 2);
  const entry = Object.hasOwn(entries, word) ? entries[word] : undefined;
  if (!entry) throw new UsageError(`No such command '${word}'.`);
  const declared = declare(cli, group, word, entry);
  const own = "commands" in entry ? undefined : shieldArgv(tail, [...declared.options, HELP(cli)]);
  cli.parse(["", "", word, ...(own?.positionals ?? []), ...leading.options, ...(own?.options ?? [])], {
    run: false,
  });
  const command = cli.matchedCommand;
  if (command !== declared) throw new UsageError(`No such command '${word}'.`);
  const parsed = cli.options;
  const level = globals ?? {
    sessionId: String(verbatim(parsed.sessionId) ?? ""),
    json: parsed.json === true,
  };
  if ("commands" in entry) {
    const sub = program(word);
    const subLeading = shieldArgv(tail, sub.globalCommand.options, { untilWord: true });
    return parseLevel(sub, entry.commands, subLeading, word, level);
  }
  if (parsed.help) return { kind: "help", text: helpText(command), exitCode: 0 };

  const given: Record<string, unknown> = {};
  let index = 0;
  for (const key in entry.options) given[key] = verbatim(parsed[command.options[index++]!.name]);
  const options = readValues(entry.options, given);
  const args = cli.args.map((arg) => String(verbatim(arg)));
  const [first] = command.args;
  if (first?.required && args.length === 0)
    throw new UsageError(`Missing argument '${first.value.toUpperCase()}'.`);
  const extra = first?.variadic ? [] : args.slice(command.args.length);
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
