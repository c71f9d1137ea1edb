import { printLine } from "../output.ts";
import { userSkillsDir } from "../skills/claude-dirs.ts";
import { installEmbeddedSkills } from "../skills/install.ts";
import { type CommandContext, optionString } from "./spec.ts";

/** `skills install [--dir DIR]` (cli.md §8.2): one line per file written, then a summary. */
export async function skillsInstall(ctx: CommandContext): Promise<void> {
  const { resolve } = process.getBuiltinModule("node:path");
  const target = resolve(optionString(ctx, "--dir") || userSkillsDir(ctx.env));
  const installed = await installEmbeddedSkills(target, (path) => printLine(`wrote ${path}`));
  await printLine(
    `Installed ${installed.skillCount} skills (${installed.fileCount} files) into ${installed.target}.`,
  );
}
