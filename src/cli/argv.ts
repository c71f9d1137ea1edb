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
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === "string" && last.startsWith(SHIELD) ? last.slice(1) : last;
}

/**
 * Option names (`-f`, `--force`) → cac's options. Loops and string methods only: every array
 * builtin a process calls for the first time costs it 0.1-0.3 ms in the compiled binary.
 */
function byName(options: Command["options"]): Map<string, Command["options"][number]> {
  const names = new Map<string, Command["options"][number]>();
  for (const option of options)
    for (const word of option.rawName.split(" "))
      if (word.startsWith("-")) names.set(word.endsWith(",") ? word.slice(0, -1) : word, option);
  return names;
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
  const declared = byName(options);
  const argv: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token === "--") {
      if (walk.untilWord) return { options: argv, positionals, rest: tokens.slice(index + 1) };
      for (const positional of tokens.slice(index + 1)) positionals.push(SHIELD + positional);
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      if (walk.untilWord) return { options: argv, positionals, rest: tokens.slice(index) };
      positionals.push(SHIELD + token);
      continue;
    }
    if (!token.startsWith("--")) {
      // Click reads `-ab` letter by letter and names the first letter it does not know.
      for (const letter of token.slice(1))
        if (!declared.get(`-${letter}`)?.isBoolean) throw new UsageError(`No such option: -${letter}`);
      argv.push(token);
      continue;
    }
    const equals = token.indexOf("=");
    const name = equals === -1 ? token : token.slice(0, equals);
    const option = declared.get(name);
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
