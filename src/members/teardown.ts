import { CafleetError, messageOf } from "../errors.ts";
import { BACKENDS, isCodingAgent } from "../repl/backends.ts";
import { lookAtPane } from "../repl/look.ts";
import { holdReasonOf, type ScreenState } from "../repl/screen.ts";
import { type PaneRef, pressKeys, typeText } from "../tmux/pane.ts";
import { isPaneGone } from "../tmux/run.ts";

/**
 * Asking a member's REPL to quit without ever answering a prompt for it (tmux.md §10): an open
 * modal is closed with Esc first (and checked again), a running turn is interrupted the same
 * way, and `/exit` is typed as text with Enter after the backend's pause, so Codex does not take
 * both as one paste. Returns what the screen showed, for the report.
 */

const ESC_SETTLE_MS = 400;
const MAX_ESCAPES = 3;

export type ExitOutcome = { saw: string | null; gone: boolean };

async function look(pane: PaneRef, repl: string): Promise<ScreenState | "gone"> {
  try {
    return (await lookAtPane(pane, repl)).state;
  } catch (error) {
    if (isPaneGone(error)) return "gone";
    throw error;
  }
}

export async function requestExit(pane: PaneRef, codingAgent: string): Promise<ExitOutcome> {
  const repl = isCodingAgent(codingAgent) ? codingAgent : "unknown";
  let state = await look(pane, repl);
  let saw: string | null = null;
  for (let attempt = 0; state !== "gone" && attempt < MAX_ESCAPES; attempt++) {
    if (state.kind !== "modal" && state.kind !== "busy" && state.kind !== "draft") break;
    saw ??= holdReasonOf(state);
    // Esc closes a dialog or interrupts a turn in both REPLs. A half-typed line is erased a
    // character at a time: Codex ignores C-u.
    await pressKeys(
      pane,
      state.kind === "draft" ? Array([...state.text].length + 2).fill("BSpace") : ["Escape"],
    );
    await Bun.sleep(ESC_SETTLE_MS);
    state = await look(pane, repl);
  }
  if (state === "gone") return { saw, gone: true };
  if (state.kind === "unknown" || state.kind === "modal" || state.kind === "busy" || state.kind === "draft")
    throw new CafleetError(
      `the member's pane ${pane.id} shows a ${holdReasonOf(state)} that Esc did not close, so /exit was not typed (it could answer it). Look with \`cafleet member capture\`, answer with \`cafleet member send-input\`, or re-run with --force`,
    );
  const backend = BACKENDS[isCodingAgent(repl) ? repl : "codex"];
  await typeText(pane, backend.exitCommand);
  await Bun.sleep(backend.exitEnterPauseMs);
  try {
    await pressKeys(pane, ["Enter"]);
  } catch (error) {
    if (!isPaneGone(error)) throw new CafleetError(messageOf(error));
  }
  return { saw, gone: false };
}
