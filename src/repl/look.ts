import { type PaneRef, type PaneView, readPaneView } from "../tmux/pane.ts";
import { classifyScreen, type ScreenState } from "./screen.ts";

/** A pane as a push, a teardown, a start check or the watcher sees it: what it shows, and what that means. */
export type Look = { view: PaneView; state: ScreenState };

/**
 * Reads the pane (one tmux call) and classifies its screen for `repl`, the placement's REPL; a
 * name without a grammar (`unknown`) is read by the foreground program, else by every grammar.
 * Throws what tmux threw.
 */
export async function lookAtPane(
  ref: PaneRef,
  repl: string,
  call: { timeoutSeconds?: number } = {},
): Promise<Look> {
  const view = await readPaneView(ref, call);
  return { view, state: classifyScreen({ repl, ...view }) };
}
