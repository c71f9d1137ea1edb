import { runTmux, TmuxError } from "./run.ts";

/** The pane's last `lines` lines, unmodified (tmux.md §6). */
export function capturePane(pane: string, lines: number): string {
  if (lines <= 0) throw new TmuxError(`capture_pane: lines must be positive, got ${lines}`);
  return runTmux(["capture-pane", "-p", "-t", pane, "-S", `-${lines}`]);
}
