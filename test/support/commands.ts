import { COMMANDS } from "../../src/cli/commands.ts";
import type { CommandDef, Option } from "../../src/cli/options.ts";

/** Every runnable command with its words (`["member", "create"]`), from the CLI's own table. */
export const COMMAND_LIST: { words: string[]; def: CommandDef }[] = Object.entries(COMMANDS).flatMap(
  ([word, entry]) =>
    "commands" in entry
      ? Object.entries(entry.commands).map(([sub, def]) => ({ words: [word, sub], def: def as CommandDef }))
      : [{ words: [word], def: entry as CommandDef }],
);

/** Options whose value is a number (`--lines <n>`, `--port <port>`, `--wait <seconds>`). */
export function isNumeric(option: Option): boolean {
  return /<(n|port|seconds)>/.test(option.flags);
}
