import { version } from "../../package.json" with { type: "json" };
import { CafleetError, messageOf } from "../errors.ts";
import { SKILL_FILES } from "../skills-assets.gen.ts";
import { stampVersion } from "./version.ts";

export type InstalledSkills = { target: string; skillCount: number; fileCount: number };

/**
 * Writes the skills embedded at build time into `target` (cli.md §8.2), each SKILL.md with this
 * binary's version recorded in it. Files of the same name are overwritten; nothing else in
 * `target` is touched. `onWritten` hears of each file once it is written.
 */
export async function installEmbeddedSkills(
  target: string,
  onWritten: (path: string) => Promise<void> = async () => {},
): Promise<InstalledSkills> {
  const { mkdirSync } = process.getBuiltinModule("node:fs");
  const { basename, dirname, join } = process.getBuiltinModule("node:path");
  // Code-point order, so the listing is the same on every machine whatever its locale.
  const entries = Object.entries(SKILL_FILES).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new CafleetError("this binary was built without skills");

  for (const [relativePath, embedded] of entries) {
    const destination = join(target, relativePath);
    const bytes = await Bun.file(embedded).bytes();
    const content =
      basename(relativePath) === "SKILL.md" ? stampVersion(new TextDecoder().decode(bytes), version) : bytes;
    try {
      mkdirSync(dirname(destination), { recursive: true });
      await Bun.write(destination, content);
    } catch (error) {
      throw new CafleetError(`cannot write ${destination}: ${messageOf(error)}`);
    }
    await onWritten(destination);
  }
  const skillCount = new Set(entries.map(([relativePath]) => relativePath.split("/")[0])).size;
  return { target, skillCount, fileCount: entries.length };
}
