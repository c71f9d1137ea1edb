import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ICON_PATH, iconPng } from "../../scripts/icon.ts";

const ROOT = join(import.meta.dir, "../..");
const SKILLS = join(ROOT, "skills");
const PLUGIN_SKILLS = [
  "cafleet",
  "cafleet-monitoring",
  "design-doc",
  "design-doc-create",
  "design-doc-execute",
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The YAML front matter as key → raw value; skills use one-line plain scalars only. */
function frontMatter(markdown: string): Map<string, string> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) return new Map();
  return new Map(
    match[1]!.split("\n").map((line) => {
      const colon = line.indexOf(": ");
      return [line.slice(0, colon), line.slice(colon + 2)] as [string, string];
    }),
  );
}

describe("skills/", () => {
  test("holds exactly the five plugin skills, each with a SKILL.md", () => {
    const folders = readdirSync(SKILLS).filter((entry) => existsSync(join(SKILLS, entry, "SKILL.md")));
    expect(folders.sort()).toEqual(PLUGIN_SKILLS);
  });

  for (const name of PLUGIN_SKILLS)
    test(`${name}/SKILL.md has front matter naming it, with a one-line description`, () => {
      const fields = frontMatter(readFileSync(join(SKILLS, name, "SKILL.md"), "utf8"));
      expect([...fields.keys()]).toEqual(["name", "description"]);
      expect(fields.get("name")).toBe(name);
      const description = fields.get("description")!;
      expect(description.length).toBeGreaterThan(80);
      expect(description.length).toBeLessThan(1024);
      // A plain YAML scalar cannot hold ": " or start with a quote or a backtick.
      expect(description.includes(": ")).toBe(false);
      expect(/^["'`]/.test(description)).toBe(false);
    });

  test("role files pasted into spawn prompts hold no braces and no single quotes", () => {
    const embedded = [
      "design-doc-create/roles/drafter.md",
      "design-doc-create/roles/reviewer.md",
      "design-doc-execute/roles/programmer.md",
      "design-doc-execute/roles/tester.md",
      "design-doc-execute/roles/verifier.md",
    ];
    for (const file of embedded) {
      const text = readFileSync(join(SKILLS, file), "utf8");
      expect([file, /[{}']/.exec(text)?.[0] ?? "clean"]).toEqual([file, "clean"]);
    }
  });

  test("every relative Markdown link points at an existing file", () => {
    const broken: string[] = [];
    for (const file of filesUnder(SKILLS).filter((path) => path.endsWith(".md"))) {
      const text = readFileSync(file, "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith("#")) continue;
        if (!existsSync(join(dirname(file), target!.split("#")[0]!)))
          broken.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe(".claude-plugin/", () => {
  const plugin = JSON.parse(readFileSync(join(ROOT, ".claude-plugin/plugin.json"), "utf8"));
  const marketplace = JSON.parse(readFileSync(join(ROOT, ".claude-plugin/marketplace.json"), "utf8"));
  const { version, license } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

  test("the repository, package.json and plugin.json name one licence, MIT", () => {
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8").split("\n").slice(0, 3)).toEqual([
      "MIT License",
      "",
      "Copyright (c) 2026 cafleet contributors",
    ]);
    expect(license).toBe("MIT");
    expect(plugin.license).toBe(license);
  });

  test("plugin.json names the plugin cafleet and points at the five skills", () => {
    expect(plugin.name).toBe("cafleet");
    expect(plugin.version).toBe(version);
    expect(typeof plugin.description).toBe("string");
    expect(plugin.skills).toBe("./skills/");
    const folder = join(ROOT, plugin.skills);
    expect(
      readdirSync(folder)
        .filter((entry) => existsSync(join(folder, entry, "SKILL.md")))
        .sort(),
    ).toEqual(PLUGIN_SKILLS);
  });

  test("plugin.json's icon is the square PNG that scripts/icon.ts draws, 512 to 2048 px, under 2 MB", () => {
    expect(plugin.icon).toBe("./.claude-plugin/icon.png");
    const png = readFileSync(join(ROOT, plugin.icon));
    expect(join(ROOT, plugin.icon)).toBe(ICON_PATH);
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(512);
    expect(width).toBeLessThanOrEqual(2048);
    expect(png.length).toBeLessThan(2 * 1024 * 1024);
    expect(Buffer.compare(png, iconPng())).toBe(0);
  });

  test("marketplace.json lists the plugin from this repository", () => {
    expect(marketplace.name).toBe("cafleet");
    expect(typeof marketplace.owner.name).toBe("string");
    expect(marketplace.plugins).toHaveLength(1);
    expect(marketplace.plugins[0].name).toBe("cafleet");
    expect(marketplace.plugins[0].source).toBe("./");
    expect(marketplace.plugins[0].version).toBe(version);
    expect(existsSync(join(ROOT, marketplace.plugins[0].source, ".claude-plugin/plugin.json"))).toBe(true);
  });
});
