/**
 * Where Claude Code looks for skills (read from Claude Code 2.1.328):
 * - the user's folder, `<config home>/skills`; the config home is $CLAUDE_CONFIG_DIR or ~/.claude;
 * - the project's: `.claude/skills` of the working directory and of each parent up to the
 *   repository root (the first folder holding a `.git`), never of the home folder itself;
 * - installed plugins, listed in `<plugins folder>/installed_plugins.json`; the plugins folder is
 *   $CLAUDE_CODE_PLUGIN_CACHE_DIR or `<config home>/plugins`.
 * A member's pane starts in the folder `member create` runs in (tmux split-window takes the
 * calling client's), so that folder is the member's project.
 */

type Env = Record<string, string | undefined>;

export function homeDir(env: Env): string {
  return env.HOME || process.getBuiltinModule("node:os").homedir();
}

export function claudeConfigDir(env: Env): string {
  return env.CLAUDE_CONFIG_DIR?.trim() || process.getBuiltinModule("node:path").join(homeDir(env), ".claude");
}

/** Where `cafleet skills install` writes by default: the folder Claude Code reads the user's skills from. */
export function userSkillsDir(env: Env): string {
  return process.getBuiltinModule("node:path").join(claudeConfigDir(env), "skills");
}

export function installedPluginsFile(env: Env): string {
  const { join } = process.getBuiltinModule("node:path");
  return join(
    env.CLAUDE_CODE_PLUGIN_CACHE_DIR || join(claudeConfigDir(env), "plugins"),
    "installed_plugins.json",
  );
}

/** The project skills folders Claude Code reads for a session started in `cwd`, nearest first. */
export function projectSkillsDirs(cwd: string, env: Env): string[] {
  const { existsSync } = process.getBuiltinModule("node:fs");
  const { dirname, join, resolve } = process.getBuiltinModule("node:path");
  const home = resolve(homeDir(env));
  const dirs: string[] = [];
  for (let dir = resolve(cwd); dir !== home; dir = dirname(dir)) {
    dirs.push(join(dir, ".claude", "skills"));
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) break;
  }
  return dirs;
}
