import { UsageError } from "../errors.ts";

/**
 * A command's options, declared once: cac gets `flags` and `help`; the checks cac does not make
 * (required options, integers, choices, conflicts) read the rest, and the handler's options are
 * typed from the same object.
 */

export type Flag = { flags: string; help: string; conflicts?: readonly string[] };

export type Value<V, Required extends boolean> = {
  flags: string;
  help: string;
  required: Required;
  choices?: readonly string[];
  /** Turns the verbatim argv value into the handler's value, or throws a usage error. */
  convert(raw: string, flag: string): V;
};

export type Option = Flag | Value<unknown, boolean>;
export type Options = Record<string, Option>;

type ValueOf<T> =
  T extends Value<infer V, true> ? V : T extends Value<infer V, boolean> ? V | undefined : boolean;

export type Values<O extends Options> = { [K in keyof O]: ValueOf<O[K]> };

export type Env = Record<string, string | undefined>;

export type Context<O extends Options> = {
  sessionId: string;
  json: boolean;
  options: Values<O>;
  /** Positionals, in argv order. */
  args: string[];
  env: Env;
};

export type CommandDef<O extends Options = Options> = {
  summary: string;
  options: O;
  /** cac's argument syntax: `<session_id>`, `[...prompt]`. */
  args?: string;
  needsSession?: boolean;
  // A method, so a command of any options fits the table's CommandDef.
  run(ctx: Context<O>): Promise<void>;
};

export type Group = { summary: string; commands: Record<string, CommandDef> };

/** Infers a command's options from its declaration, so `run` is checked against them. */
export function command<O extends Options>(def: CommandDef<O>): CommandDef<O> {
  return def;
}

/** The long name of an option (`--agent-id`), as usage errors quote it. */
export function longFlag(option: Option): string {
  return option.flags.slice(option.flags.indexOf("--")).split(" ")[0]!;
}

export function isValue(option: Option): option is Value<unknown, boolean> {
  return "convert" in option;
}

export function flag(flags: string, help: string, conflicts?: readonly string[]): Flag {
  return { flags, help, conflicts };
}

function value<V>(flags: string, help: string, convert: (raw: string, flag: string) => V): Value<V, false> {
  return { flags, help, required: false, convert };
}

export function required<V>(option: Value<V, false>): Value<V, true> {
  return { ...option, required: true };
}

const invalid = (flag: string, detail: string) => new UsageError(`Invalid value for '${flag}': ${detail}`);

export function text(flags: string, help: string): Value<string, false> {
  return value(flags, help, (raw) => raw);
}

/** Python's int(): optional sign, digits with single underscores, surrounding whitespace. */
export function integer(flags: string, help: string, bound?: "non-negative" | readonly [number, number]) {
  return value(flags, help, (raw, flag) => {
    const text = raw.trim();
    if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) throw invalid(flag, `'${raw}' is not a valid integer.`);
    const parsed = Number.parseInt(text.replaceAll("_", ""), 10);
    if (bound === "non-negative" && parsed < 0)
      throw invalid(flag, `${parsed} is not a non-negative integer.`);
    if (Array.isArray(bound) && (parsed < bound[0] || parsed > bound[1]))
      throw invalid(flag, `${parsed} is not in the range ${bound[0]}<=x<=${bound[1]}.`);
    return parsed;
  });
}

export function seconds(flags: string, help: string) {
  return value(flags, help, (raw, flag) => {
    const text = raw.trim();
    if (!/^\+?(\d+(\.\d*)?|\.\d+)$/.test(text) || !Number.isFinite(Number(text)))
      throw invalid(flag, `'${raw}' is not a valid non-negative number.`);
    return Number(text);
  });
}

export function choice<C extends string>(flags: string, help: string, choices: readonly C[]) {
  const option = value(flags, help, (raw, flag): C => {
    if (choices.includes(raw as C)) return raw as C;
    throw invalid(flag, `'${raw}' is not one of ${choices.map((c) => `'${c}'`).join(", ")}.`);
  });
  return { ...option, choices };
}

/**
 * Converts what cac parsed (verbatim strings, `true` for flags) in declaration order, then
 * reports a missing required option, then two options that may not be given together.
 */
export function readValues<O extends Options>(options: O, given: Record<string, unknown>): Values<O> {
  const values: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(options)) {
    const raw = given[key];
    if (!isValue(option)) values[key] = raw === true;
    else if (raw !== undefined) values[key] = option.convert(String(raw), longFlag(option));
  }
  const present = new Set<string>();
  for (const [key, option] of Object.entries(options)) {
    if (given[key] !== undefined) present.add(longFlag(option));
    else if (isValue(option) && option.required)
      throw new UsageError(`Missing option '${longFlag(option)}'.`);
  }
  for (const option of Object.values(options))
    for (const other of "conflicts" in option && present.has(longFlag(option))
      ? (option.conflicts ?? [])
      : [])
      if (present.has(other))
        throw new UsageError(`Option '${longFlag(option)}' cannot be used with '${other}'.`);
  return values as Values<O>;
}
