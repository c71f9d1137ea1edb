/**
 * The cafleet version an installed skill was written by. `skills install` records it in each
 * SKILL.md's front matter under `metadata`, the Agent Skills field for extra properties (Claude
 * Code accepts it; an unknown top-level key would only be tolerated):
 *
 *     metadata:
 *       cafleet-version: "0.1.0"
 *
 * The repository's skills carry no stamp: test/docs/skills-format.test.ts keeps their front
 * matter to `name` and `description`, so the added `metadata` key is never a duplicate.
 */
import { CafleetError } from "../errors.ts";

const FRONT_MATTER = /^---\n([\s\S]*?\n)---\n/;
const STAMP = /^metadata:\n(?:[ \t]+.*\n)*?[ \t]+cafleet-version:[ \t]*"?([^"\n]*?)"?[ \t]*$/m;

export function stampVersion(markdown: string, version: string): string {
  const match = FRONT_MATTER.exec(markdown);
  if (!match) throw new CafleetError("an embedded SKILL.md has no front matter to record the version in");
  return `---\n${match[1]}metadata:\n  cafleet-version: "${version}"\n---\n${markdown.slice(match[0].length)}`;
}

/** The recorded version, or null when the file has none (written by an older cafleet, or by hand). */
export function stampedVersion(markdown: string): string | null {
  const frontMatter = FRONT_MATTER.exec(markdown)?.[1];
  return frontMatter === undefined ? null : (STAMP.exec(frontMatter)?.[1] ?? null);
}

export type Freshness = "current" | "older" | "newer" | "unrecorded";

/** How a recorded version stands against the binary's (semver order, a pre-release before its release). */
export function freshness(recorded: string | null, binary: string): Freshness {
  if (recorded === null) return "unrecorded";
  const order = compareVersions(recorded, binary);
  return order === 0 ? "current" : order < 0 ? "older" : "newer";
}

function compareVersions(a: string, b: string): number {
  const [aCore = "", aPre] = a.split(/-(.*)/s);
  const [bCore = "", bPre] = b.split(/-(.*)/s);
  const aParts = aCore.split(".").map(Number);
  const bParts = bCore.split(".").map(Number);
  for (let i = 0; i < Math.max(aParts.length, bParts.length); i++) {
    const difference = (aParts[i] ?? 0) - (bParts[i] ?? 0);
    if (Number.isNaN(difference)) return a < b ? -1 : a > b ? 1 : 0;
    if (difference !== 0) return Math.sign(difference);
  }
  if (aPre === bPre) return 0;
  if (aPre === undefined) return 1;
  if (bPre === undefined) return -1;
  return aPre < bPre ? -1 : 1;
}
