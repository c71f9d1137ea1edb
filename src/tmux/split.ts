import { runTmux } from "./run.ts";

/**
 * Splits the Director's window and starts `command` in the new pane; returns its pane id (tmux.md §3).
 * No -h/-v: select-layout arranges the panes afterwards. Only CAFLEET_DATABASE_URL is forwarded,
 * and only when set, so the member talks to the same database as its Director. The split runs
 * on the caller's own server, so the new pane lives there.
 */
export function splitWindow(windowId: string, command: string[], databaseUrl: string | undefined): string {
  const forward = databaseUrl ? ["-e", `CAFLEET_DATABASE_URL=${databaseUrl}`] : [];
  return runTmux(["split-window", "-t", windowId, "-P", "-F", "#{pane_id}", ...forward, ...command]).trim();
}
