import { version } from "../../package.json" with { type: "json" };
import { pad } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import { findCafleetSkill, type SkillCopy } from "../skills/locate.ts";
import { type Freshness, freshness } from "../skills/version.ts";
import { readCallerContext, requireTmuxAvailable } from "../tmux/context.ts";
import type { NO_OPTIONS } from "./commands.ts";
import type { Context } from "./options.ts";

/** The command that brings one copy up to this binary; none for a copy newer than it. */
function fixFor(copy: SkillCopy, state: Freshness): string | null {
  if (state === "current" || state === "newer") return null;
  if (copy.where !== "plugin")
    return copy.where === "user"
      ? "cafleet skills install"
      : `cafleet skills install --dir ${process.getBuiltinModule("node:path").dirname(copy.path)}`;
  return `claude plugin update ${copy.pluginId}${copy.scope === "user" ? "" : ` --scope ${copy.scope}`}`;
}

function describe(copy: SkillCopy, state: Freshness): string {
  const stands = {
    current: `${copy.version}, current`,
    older: `${copy.version}, older than this binary`,
    newer: `${copy.version}, newer than this binary`,
    unrecorded: "no version recorded",
  }[state];
  const where = copy.where === "plugin" ? `${copy.pluginId}, ${copy.scope} scope, ${copy.path}` : copy.path;
  return `${stands} (${where})`;
}

/**
 * cli.md §6.7, then where Claude Code finds the cafleet skill a member is told to load: each
 * copy with its recorded version against this binary's, and the command that fixes a stale or
 * missing one.
 */
export async function doctor(ctx: Context<typeof NO_OPTIONS>): Promise<void> {
  requireTmuxAvailable(ctx.env);
  const tmux = readCallerContext(ctx.env);
  const copies = findCafleetSkill(ctx.env, process.cwd()).map((copy) => ({
    copy,
    state: freshness(copy.version, version),
  }));
  const fixes =
    copies.length === 0
      ? ["cafleet skills install"]
      : [...new Set(copies.flatMap(({ copy, state }) => fixFor(copy, state) ?? []))];
  if (ctx.json)
    return printJson({
      tmux: {
        session_name: tmux.session,
        window_id: tmux.windowId,
        pane_id: tmux.paneId,
        tmux_pane_env: tmux.tmuxPaneEnv,
      },
      skills: {
        binary_version: version,
        copies: copies.map(({ copy, state }) => ({
          where: copy.where,
          path: copy.path,
          version: copy.version,
          state,
          ...(copy.where === "plugin" ? { plugin_id: copy.pluginId, scope: copy.scope } : {}),
        })),
        fix: fixes,
      },
    });
  const field = (label: string, value: string) => `  ${pad(`${label}:`, 15)}${value}`;
  const lines = (where: SkillCopy["where"]) => {
    const found = copies.filter(({ copy }) => copy.where === where);
    if (found.length === 0) return [field(where, "not installed")];
    return found.map(({ copy, state }) => field(where, describe(copy, state)));
  };
  return printLine(
    [
      "tmux:",
      `  session_name:  ${tmux.session}`,
      `  window_id:     ${tmux.windowId}`,
      `  pane_id:       ${tmux.paneId}`,
      `  TMUX_PANE:     ${tmux.tmuxPaneEnv}`,
      "skills:",
      field("binary", version),
      ...lines("user"),
      ...lines("project"),
      ...lines("plugin"),
      ...fixes.map((fix) => field("fix", fix)),
    ].join("\n"),
  );
}
