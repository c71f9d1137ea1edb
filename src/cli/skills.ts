import { CafleetError, messageOf } from "../errors.ts";
import { printLine } from "../output.ts";
import { SKILL_FILES } from "../skills-assets.gen.ts";
import { type CommandContext, optionString } from "./spec.ts";

/** `~/.claude/skills`, from $HOME when set so a test (or a user) can point it elsewhere. */
function defaultSkillsDir(env: CommandContext["env"]): string {
  const { join } = process.getBuiltinModule("node:path");
  return join(env.HOME || process.getBuiltinModule("node:os").homedir(), ".claude", "skills");
}

/**
 * `skills install [--dir DIR]` (cli.md §8.2): copies the skills embedded at build time into DIR.
 * Files of the same name are overwritten; nothing else in DIR is touched.
 */
export async function skillsInstall(ctx: CommandContext): Promise<void> {
  // Fetched here, not imported: a static import would load them at every command's start-up.
  const { mkdirSync } = process.getBuiltinModule("node:fs");
  const { dirname, join, resolve } = process.getBuiltinModule("node:path");
  const target = resolve(optionString(ctx, "--dir") || defaultSkillsDir(ctx.env));
  // Code-point order, so the listing is the same on every machine whatever its locale.
  const entries = Object.entries(SKILL_FILES).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new CafleetError("this binary was built without skills");

  for (const [relativePath, embedded] of entries) {
    const destination = join(target, relativePath);
    try {
      mkdirSync(dirname(destination), { recursive: true });
      await Bun.write(destination, await Bun.file(embedded).bytes());
    } catch (error) {
      throw new CafleetError(`cannot write ${destination}: ${messageOf(error)}`);
    }
    await printLine(`wrote ${destination}`);
  }
  const skillCount = new Set(entries.map(([relativePath]) => relativePath.split("/")[0])).size;
  await printLine(`Installed ${skillCount} skills (${entries.length} files) into ${target}.`);
}
