/** Declarative shapes of commands and options; the parser and the help text read them. */

export type ValueKind = "string" | "int" | "non-negative-int" | "non-negative-number";

export type OptionSpec = {
  flag: `--${string}`;
  /** Absent for boolean flags. */
  value?: ValueKind;
  metavar?: string;
  required?: boolean;
  choices?: readonly string[];
  range?: readonly [number, number];
  short?: `-${string}`;
  /** Options that may not be given together with this one (a usage error names both). */
  conflicts?: readonly `--${string}`[];
  help: string;
};

export type OptionValue = string | number | boolean;

export type CommandContext = {
  sessionId: string;
  json: boolean;
  options: ReadonlyMap<string, OptionValue>;
  positionals: string[];
  env: Record<string, string | undefined>;
};

export type CommandRunner = (ctx: CommandContext) => Promise<void> | void;

export type CommandSpec = {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** `one`: exactly one positional named `name`; `many`: any number (joined by the command). */
  positional?: { name: string; arity: "one" | "many" };
  needsSession: boolean;
  load: () => Promise<CommandRunner>;
};

export type GroupSpec = { name: string; summary: string; commands: CommandSpec[] };

export function optionString(ctx: CommandContext, flag: string): string | undefined {
  const value = ctx.options.get(flag);
  return value === undefined ? undefined : String(value);
}

export function requiredString(ctx: CommandContext, flag: string): string {
  const value = ctx.options.get(flag);
  if (value === undefined) throw new Error(`option ${flag} was not parsed`);
  return String(value);
}

export function optionNumber(ctx: CommandContext, flag: string): number | undefined {
  const value = ctx.options.get(flag);
  return typeof value === "number" ? value : undefined;
}

export function optionFlag(ctx: CommandContext, flag: string): boolean {
  return ctx.options.get(flag) === true;
}
