import { version } from "../../package.json" with { type: "json" };
import { SKILLS_DIR } from "../embedded.ts";
import { CafleetError, messageOf } from "../errors.ts";
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
  const files = [...new Bun.Glob("**/*").scanSync(SKILLS_DIR)]
    .map((path) => path.replaceAll("\\", "/"))
    .sort();
  if (files.length === 0) throw new CafleetError("this binary was built without skills");

  for (const relativePath of files) {
    const destination = join(target, relativePath);
    const bytes = await Bun.file(join(SKILLS_DIR, relativePath)).bytes();
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
  const skillCount = new Set(files.map((relativePath) => relativePath.split("/")[0])).size;
  return { target, skillCount, fileCount: files.length };
}
