import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CliResult, type Env, ROOT, runCafleet } from "../support/cli.ts";
import type { MemberHarness } from "../tmux/harness.ts";

/** A user of the harness's tmux with an empty HOME, working in a git project of their own. */
export type User = {
  home: string;
  project: string;
  env: Env;
  run: (args: string[], cwd?: string) => CliResult;
};

let users = 0;

export function newUser(h: MemberHarness): User {
  const dir = join(h.dir, `user-${++users}`);
  const home = join(dir, "home");
  const project = join(dir, "project");
  mkdirSync(home, { recursive: true });
  mkdirSync(join(project, ".git"), { recursive: true });
  const env = h.env({ HOME: home });
  return { home, project, env, run: (args, cwd = project) => runCafleet(args, env, { cwd }) };
}

export function userSkill(user: User): string {
  return join(user.home, ".claude", "skills", "cafleet");
}

/** Rewrites the version an install recorded, as if an older (or newer) cafleet had written it. */
export function restamp(skillFolder: string, version: string): void {
  const path = join(skillFolder, "SKILL.md");
  const text = readFileSync(path, "utf8");
  const stamped = text.replace(/^ {2}cafleet-version: ".*"$/m, `  cafleet-version: "${version}"`);
  if (stamped === text) throw new Error(`no version stamp in ${path}`);
  writeFileSync(path, stamped);
}

/**
 * What `claude plugin install cafleet@cafleet` leaves (recorded from Claude Code 2.1.328): the
 * repository copied into the plugin cache, and a v2 installed_plugins.json naming it. Returns the
 * install folder.
 */
export function installPlugin(
  user: User,
  record: { version: string; scope?: string; projectPath?: string; id?: string },
): string {
  const plugins = join(user.home, ".claude", "plugins");
  const installPath = join(plugins, "cache", "cafleet", "cafleet", record.version);
  cpSync(join(ROOT, "skills"), join(installPath, "skills"), { recursive: true });
  cpSync(join(ROOT, ".claude-plugin"), join(installPath, ".claude-plugin"), { recursive: true });
  const file = join(plugins, "installed_plugins.json");
  let installed: { version: 2; plugins: Record<string, object[]> } = { version: 2, plugins: {} };
  try {
    installed = JSON.parse(readFileSync(file, "utf8"));
  } catch {}
  const id = record.id ?? "cafleet@cafleet";
  installed.plugins[id] = [
    ...(installed.plugins[id] ?? []),
    {
      scope: record.scope ?? "user",
      installPath,
      version: record.version,
      installedAt: "2026-12-01T09:36:08.895Z",
      lastUpdated: "2026-12-01T09:36:08.895Z",
      ...(record.projectPath === undefined ? {} : { projectPath: record.projectPath }),
    },
  ];
  writeFileSync(file, JSON.stringify(installed, null, 2));
  return installPath;
}

/** `claude plugin disable <id> --scope user` writes this into the user's settings. */
export function disablePlugin(user: User, id = "cafleet@cafleet"): void {
  writeFileSync(
    join(user.home, ".claude", "settings.json"),
    JSON.stringify({ enabledPlugins: { [id]: false } }),
  );
}
