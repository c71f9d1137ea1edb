import { printJson, printLine } from "../output.ts";
import { readCallerContext, requireTmuxAvailable } from "../tmux/context.ts";
import type { CommandContext } from "./spec.ts";

export async function doctor(ctx: CommandContext): Promise<void> {
  requireTmuxAvailable(ctx.env);
  const tmux = readCallerContext(ctx.env);
  if (ctx.json)
    return printJson({
      tmux: {
        session_name: tmux.session,
        window_id: tmux.windowId,
        pane_id: tmux.paneId,
        tmux_pane_env: tmux.tmuxPaneEnv,
      },
    });
  return printLine(
    [
      "tmux:",
      `  session_name:  ${tmux.session}`,
      `  window_id:     ${tmux.windowId}`,
      `  pane_id:       ${tmux.paneId}`,
      `  TMUX_PANE:     ${tmux.tmuxPaneEnv}`,
    ].join("\n"),
  );
}
