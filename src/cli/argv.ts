import type { Command } from "cac";
import { UsageError } from "../errors.ts";

/**
 * What stands between argv and cac. cac's parser (an inlined mri) turns a value that looks like a
 * number into one (`--text 007` → 7, `--session-id 0012` → 12, `1e3` → 1000, `""` → 0) and reads a
 * value that starts with `-` as the next flag, where cli.md §1 keeps every value byte for byte.
 * Argv can never hold a NUL, and a token led by one is neither a number nor a flag to mri: every
 * value and positional goes to cac behind a NUL, which `verbatim` takes off again after parsing.
 * mri also takes the word after a flag it does not know as boolean (cac names `--install-skills`
 * `installSkills` to it) as that flag's value, so positionals go to cac before the options.
 * Walking the tokens with the declared options is also where Click's parse errors are raised.
 */
const SHIELD = "\0";

/** A parsed value as argv held it; a repeated option is an array, and the last one wins. */
export function verbatim(value: unknown): unknown {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === "string" && last.startsWith(SHIELD) ? last.slice(1) : last;
}

/** `-f, --force <x>` → `["-f", "--force"]`. */
function namesOf(option: Command["options"][number]): string[] {
  return option.rawName
    .replace(/[<[].*/, "")
    .split(",")
    .map((name) => name.trim());
}

export type Shielded = {
  /** Option names as they were, each value behind a NUL. */
  options: string[];
  /** Behind a NUL, in argv order. */
  positionals: string[];
  /** With `untilWord`: the tokens from the first word (a command) on. */
  rest: string[];
  /** The eager option that stopped the walk (`--version`), if one did. */
  stoppedBy?: string;
};

/**
 * Walks `tokens` with the options declared for them. With `untilWord` (the options before a
 * command word), the walk stops at the first word, after `--`, or at an `eager` option.
 */
export function shieldArgv(
  tokens: string[],
  options: Command["options"],
  walk: { untilWord: boolean; eager?: string } = { untilWord: false },
): Shielded {
  const declared = options.flatMap((option) => namesOf(option).map((name) => ({ name, option })));
  const find = (name: string) => declared.find((entry) => entry.name === name)?.option;
  const argv: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token === "--") {
      if (walk.untilWord) return { options: argv, positionals, rest: tokens.slice(index + 1) };
      positionals.push(...tokens.slice(index + 1).map((positional) => SHIELD + positional));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      if (walk.untilWord) return { options: argv, positionals, rest: tokens.slice(index) };
      positionals.push(SHIELD + token);
      continue;
    }
    if (!token.startsWith("--")) {
      // Click reads `-ab` letter by letter and names the first letter it does not know.
      const unknown = [...token.slice(1)].find((letter) => !find(`-${letter}`)?.isBoolean);
      if (unknown !== undefined) throw new UsageError(`No such option: -${unknown}`);
      argv.push(token);
      continue;
    }
    const equals = token.indexOf("=");
    const name = equals === -1 ? token : token.slice(0, equals);
    const option = find(name);
    if (!option) throw new UsageError(`No such option: ${name}`);
    if (option.isBoolean) {
      if (equals !== -1) throw new UsageError(`Option '${name}' does not take a value.`);
      if (name === walk.eager) return { options: argv, positionals, rest: [], stoppedBy: name };
      argv.push(name);
      continue;
    }
    // A value is always the next token, even one that starts with `-`.
    const given = equals === -1 ? tokens[++index] : token.slice(equals + 1);
    if (given === undefined) throw new UsageError(`Option '${name}' requires an argument.`);
    argv.push(name, SHIELD + given);
  }
  return { options: argv, positionals, rest: [] };
}
