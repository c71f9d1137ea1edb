import { UsageError } from "../errors.ts";
import { COMMANDS, GROUPS } from "./commands.ts";
import type { CommandSpec, GroupSpec, OptionSpec, OptionValue } from "./spec.ts";

/**
 * A Click-compatible parser for cli.md §1. cac's parser coerces numeric-looking values
 * (`--session-id 0012` becomes 12) and treats a value such as `--text -1` as a flag, both of
 * which break scripts written for the reference, so the grammar is implemented here.
 */

export type ParsedCommand = {
  kind: "command";
  command: CommandSpec;
  path: string;
  sessionId: string;
  json: boolean;
  options: Map<string, OptionValue>;
  positionals: string[];
};

export type ParseOutcome =
  | ParsedCommand
  | { kind: "version" }
  /**
   * Help text. `--help` prints it to stdout (exit 0); a bare `cafleet` or group prints it to
   * stderr with exit 2, as Click ≥ 8.2 does (NoArgsIsHelpError).
   */
  | { kind: "help"; text: string; exitCode: 0 | 2 };

const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    flag: "--session-id",
    value: "string",
    metavar: "TEXT",
    help: "Session used by agent and member commands.",
  },
  { flag: "--json", help: "Print JSON instead of text." },
  { flag: "--version", help: "Print the version and exit." },
  { flag: "--help", help: "Show this message and exit." },
];

function splitEquals(token: string): [string, string | undefined] {
  const equals = token.indexOf("=");
  return equals === -1 ? [token, undefined] : [token.slice(0, equals), token.slice(equals + 1)];
}

/** Click names one letter of a single-dash token it cannot match: `-xy` → `-x`. */
function noSuchOption(name: string): UsageError {
  return new UsageError(`No such option: ${name.startsWith("--") ? name : name.slice(0, 2)}`);
}

function takeValue(
  argv: string[],
  index: number,
  flag: string,
  inline: string | undefined,
): [string, number] {
  if (inline !== undefined) return [inline, index];
  const next = argv[index + 1];
  if (next === undefined) throw new UsageError(`Option '${flag}' requires an argument.`);
  return [next, index + 1];
}

/** Python's int(): optional sign, digits with single underscores, surrounding whitespace. */
function parsePythonInt(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) return undefined;
  return Number.parseInt(text.replaceAll("_", ""), 10);
}

function convert(option: OptionSpec, raw: string): OptionValue {
  const prefix = `Invalid value for '${option.flag}':`;
  if (option.choices && !option.choices.includes(raw))
    throw new UsageError(
      `${prefix} '${raw}' is not one of ${option.choices.map((c) => `'${c}'`).join(", ")}.`,
    );
  switch (option.value) {
    case "int":
    case "non-negative-int": {
      const parsed = parsePythonInt(raw);
      if (parsed === undefined) throw new UsageError(`${prefix} '${raw}' is not a valid integer.`);
      if (option.value === "non-negative-int" && parsed < 0)
        throw new UsageError(`${prefix} ${parsed} is not a non-negative integer.`);
      const range = option.range;
      if (range && (parsed < range[0] || parsed > range[1]))
        throw new UsageError(`${prefix} ${parsed} is not in the range ${range[0]}<=x<=${range[1]}.`);
      return parsed;
    }
    case "non-negative-number": {
      const text = raw.trim();
      const parsed = /^\+?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(parsed))
        throw new UsageError(`${prefix} '${raw}' is not a valid non-negative number.`);
      return parsed;
    }
    default:
      return raw;
  }
}

/** Parses a command's own options and positionals (everything after the command word). */
function parseCommandArgs(
  command: CommandSpec,
  path: string,
  argv: string[],
): { options: Map<string, OptionValue>; positionals: string[] } | { help: string } {
  const given: [OptionSpec, string | true][] = [];
  const positionals: string[] = [];
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === "--") {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (token === "--help") {
      help = true;
      continue;
    }
    if (!token.startsWith("-") || token === "-") {
      positionals.push(token);
      continue;
    }
    if (!token.startsWith("--") && token.length > 2) {
      // Click reads `-ab` letter by letter, as `-a -b`; a letter that takes a value ends the token.
      for (let at = 1; at < token.length; at++) {
        const name = `-${token[at]}`;
        const option = command.options.find((candidate) => candidate.short === name);
        if (!option) throw noSuchOption(name);
        if (!option.value) {
          given.push([option, true]);
          continue;
        }
        const rest = token.slice(at + 1);
        const [value, nextIndex] = takeValue(argv, index, name, rest === "" ? undefined : rest);
        index = nextIndex;
        given.push([option, value]);
        break;
      }
      continue;
    }
    const [name, inline] = token.startsWith("--") ? splitEquals(token) : [token, undefined];
    const option = command.options.find((candidate) => candidate.flag === name || candidate.short === name);
    if (!option) throw noSuchOption(name);
    if (!option.value) {
      if (inline !== undefined) throw new UsageError(`Option '${option.flag}' does not take a value.`);
      given.push([option, true]);
      continue;
    }
    const [value, nextIndex] = takeValue(argv, index, name, inline);
    index = nextIndex;
    given.push([option, value]);
  }

  // Click's --help is eager: it wins over conversions and missing options, not over parse errors.
  if (help) return { help: commandHelp(command, path) };

  const options = new Map<string, OptionValue>();
  // Click converts the options given, in command-line order, before it reports missing ones.
  for (const [option, raw] of given) options.set(option.flag, raw === true ? true : convert(option, raw));
  for (const option of command.options)
    if (option.required && !options.has(option.flag))
      throw new UsageError(`Missing option '${option.flag}'.`);
  for (const [option] of given)
    for (const other of option.conflicts ?? [])
      if (options.has(other)) throw new UsageError(`Option '${option.flag}' cannot be used with '${other}'.`);

  const positional = command.positional;
  if (positional?.arity === "one" && positionals.length === 0)
    throw new UsageError(`Missing argument '${positional.name}'.`);
  const allowed = positional === undefined ? 0 : positional.arity === "one" ? 1 : Number.POSITIVE_INFINITY;
  const extra = positionals.slice(allowed);
  if (extra.length === 1) throw new UsageError(`Got unexpected extra argument (${extra[0]})`);
  if (extra.length > 1) throw new UsageError(`Got unexpected extra arguments (${extra.join(" ")})`);
  return { options, positionals };
}

export function parseArgv(argv: string[]): ParseOutcome {
  let sessionId = "";
  let json = false;
  let help = false;
  let index = 0;
  for (; index < argv.length; index++) {
    const token = argv[index]!;
    if (!token.startsWith("-") || token === "-") break;
    if (token === "--") {
      index++;
      break;
    }
    const [name, inline] = splitEquals(token);
    if (name === "--version") return { kind: "version" };
    if (name === "--help" || name === "--json") {
      if (inline !== undefined) throw new UsageError(`Option '${name}' does not take a value.`);
      if (name === "--help") help = true;
      else json = true;
    } else if (name === "--session-id") [sessionId, index] = takeValue(argv, index, name, inline);
    else throw noSuchOption(name);
  }

  if (help) return { kind: "help", text: topHelp(), exitCode: 0 };
  const word = argv[index];
  if (word === undefined) {
    // Click: no arguments at all shows the help; global flags without a command are a usage error.
    if (argv.length > 0) throw new UsageError("Missing command.");
    return { kind: "help", text: topHelp(), exitCode: 2 };
  }
  const group = GROUPS.find((candidate) => candidate.name === word);
  let command = COMMANDS.find((candidate) => candidate.name === word);
  let path = word;
  let rest = argv.slice(index + 1);
  if (group) {
    // A group's only option is --help; its parser stops at the first word (the subcommand).
    let groupHelpWanted = false;
    while (rest[0]?.startsWith("-") && rest[0] !== "-") {
      const [name, inline] = splitEquals(rest.shift()!);
      if (name === "--") break;
      if (name !== "--help") throw noSuchOption(name);
      if (inline !== undefined) throw new UsageError("Option '--help' does not take a value.");
      groupHelpWanted = true;
    }
    if (groupHelpWanted) return { kind: "help", text: groupHelp(group), exitCode: 0 };
    const sub = rest[0];
    if (sub === undefined) return { kind: "help", text: groupHelp(group), exitCode: 2 };
    command = group.commands.find((candidate) => candidate.name === sub);
    if (!command) throw new UsageError(`No such command '${sub}'.`);
    path = `${word} ${sub}`;
    rest = rest.slice(1);
  }
  if (!command) throw new UsageError(`No such command '${word}'.`);

  const parsed = parseCommandArgs(command, path, rest);
  if ("help" in parsed) return { kind: "help", text: parsed.help, exitCode: 0 };
  return { kind: "command", command, path, sessionId, json, ...parsed };
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
}

function optionRows(options: OptionSpec[]): [string, string][] {
  return options.map((option) => {
    const names = option.short ? `${option.short}, ${option.flag}` : option.flag;
    return [option.value ? `${names} ${option.metavar ?? "TEXT"}` : names, option.help];
  });
}

function topHelp(): string {
  const commands: [string, string][] = [
    ...GROUPS.map((group): [string, string] => [group.name, group.summary]),
    ...COMMANDS.map((command): [string, string] => [command.name, command.summary]),
  ].sort(([a], [b]) => a.localeCompare(b));
  return `Usage: cafleet [OPTIONS] COMMAND [ARGS]...

  A local message broker and agent registry for coding agents.
  Global options go before the command: cafleet --session-id <id> poll --agent-id <id>

Options:
${table(optionRows(GLOBAL_OPTIONS))}

Commands:
${table(commands)}
`;
}

function groupHelp(group: GroupSpec): string {
  return `Usage: cafleet ${group.name} [OPTIONS] COMMAND [ARGS]...

  ${group.summary}

Options:
  --help  Show this message and exit.

Commands:
${table(group.commands.map((command): [string, string] => [command.name, command.summary]))}
`;
}

function commandHelp(command: CommandSpec, path: string): string {
  const positional = command.positional
    ? command.positional.arity === "one"
      ? ` ${command.positional.name}`
      : ` [-- ${command.positional.name}...]`
    : "";
  const session = command.needsSession ? "--session-id <id> " : "";
  return `Usage: cafleet ${session}${path} [OPTIONS]${positional}

  ${command.summary}

Options:
${table([...optionRows(command.options), ["--help", "Show this message and exit."]])}
`;
}
