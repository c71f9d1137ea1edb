import { claudeConfigDir, installedPluginsFile, projectSkillsDirs, userSkillsDir } from "./claude-dirs.ts";
import { stampedVersion } from "./version.ts";

type Env = Record<string, string | undefined>;

export type SkillCopy =
  /** A `skills install` copy (or a hand-made one): `path` is the skill's folder. */
  | { where: "user" | "project"; path: string; version: string | null }
  /** An installed cafleet plugin: `path` is its install folder, `version` the plugin's. */
  | { where: "plugin"; path: string; version: string | null; pluginId: string; scope: string };

const SKILL = "cafleet";

/**
 * Every copy of the `cafleet` skill that Claude Code would offer a session started in `cwd`
 * (see claude-dirs.ts): the user's, the project's (nearest first), then installed cafleet plugins.
 */
export function findCafleetSkill(env: Env, cwd: string): SkillCopy[] {
  const { join } = process.getBuiltinModule("node:path");
  const copies: SkillCopy[] = [];
  const seen = new Set<string>();
  const folders: [where: "user" | "project", dir: string][] = [
    ["user", userSkillsDir(env)],
    ...projectSkillsDirs(cwd, env).map((dir): ["project", string] => ["project", dir]),
  ];
  for (const [where, dir] of folders) {
    const path = join(dir, SKILL);
    const text = readText(join(path, "SKILL.md"));
    if (text === null || seen.has(path)) continue;
    seen.add(path);
    copies.push({ where, path, version: stampedVersion(text) });
  }
  return [...copies, ...installedPlugins(env, cwd)];
}

type InstallRecord = { scope?: unknown; installPath?: unknown; version?: unknown; projectPath?: unknown };

/**
 * Installs of a plugin named cafleet (from any marketplace) listed in installed_plugins.json that
 * apply to `cwd`, are not disabled in their scope's settings, and hold the skill.
 */
function installedPlugins(env: Env, cwd: string): SkillCopy[] {
  const { existsSync } = process.getBuiltinModule("node:fs");
  const { join } = process.getBuiltinModule("node:path");
  const plugins = asObject(asObject(readJson(installedPluginsFile(env)))?.plugins);
  if (plugins === null) return [];
  const copies: SkillCopy[] = [];
  for (const [pluginId, value] of Object.entries(plugins)) {
    if (pluginId.split("@")[0] !== SKILL) continue;
    for (const record of (Array.isArray(value) ? value : [value]) as (InstallRecord | null)[]) {
      const { scope, installPath, version, projectPath } = record ?? {};
      if (typeof scope !== "string" || typeof installPath !== "string") continue;
      const settings = scopeSettings(env, cwd, scope, projectPath);
      if (settings === undefined || (settings !== null && isDisabled(settings, pluginId))) continue;
      if (!existsSync(join(installPath, "skills", SKILL, "SKILL.md"))) continue;
      const recorded = typeof version === "string" ? version : null;
      copies.push({ where: "plugin", path: installPath, version: recorded, pluginId, scope });
    }
  }
  return copies;
}

/**
 * The settings file that can disable an install of this scope; null when none is read here
 * (managed); undefined when the install does not apply to `cwd` (a project or local install of
 * a folder that does not hold it).
 */
function scopeSettings(
  env: Env,
  cwd: string,
  scope: string,
  projectPath: unknown,
): string | null | undefined {
  const { isAbsolute, join, relative, sep } = process.getBuiltinModule("node:path");
  if (scope === "user") return join(claudeConfigDir(env), "settings.json");
  if (scope !== "project" && scope !== "local") return null;
  if (typeof projectPath !== "string") return undefined;
  const inside = relative(projectPath, cwd);
  if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  return join(projectPath, ".claude", scope === "local" ? "settings.local.json" : "settings.json");
}

function isDisabled(settingsFile: string, pluginId: string): boolean {
  return asObject(asObject(readJson(settingsFile))?.enabledPlugins)?.[pluginId] === false;
}

function readText(path: string): string | null {
  try {
    return process.getBuiltinModule("node:fs").readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** A JSON file's value; undefined when it is missing or not JSON (Claude Code then reads none either). */
function readJson(path: string): unknown {
  const text = readText(path);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
