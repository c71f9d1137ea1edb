import { printLine } from "../output.ts";
import { userSkillsDir } from "../skills/claude-dirs.ts";
import { installEmbeddedSkills } from "../skills/install.ts";
import type { SKILLS_INSTALL } from "./commands.ts";
import type { Context } from "./options.ts";

/** `skills install [--dir DIR]` (cli.md §8.2): one line per file written, then a summary. */
export async function skillsInstall(ctx: Context<typeof SKILLS_INSTALL>): Promise<void> {
  const { resolve } = process.getBuiltinModule("node:path");
  const target = resolve(ctx.options.dir || userSkillsDir(ctx.env));
  const installed = await installEmbeddedSkills(target, (path) => printLine(`wrote ${path}`));
  await printLine(
    `Installed ${installed.skillCount} skills (${installed.fileCount} files) into ${installed.target}.`,
  );
}
