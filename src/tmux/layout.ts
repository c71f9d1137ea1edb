import { runTmux } from "./run.ts";

/** The Director's pane becomes the full-height left pane; members stack on the right. */
export function selectMainVertical(windowId: string): void {
  runTmux(["select-layout", "-t", windowId, "main-vertical"]);
}
