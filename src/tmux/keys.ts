import { isPaneGone, runTmux, runTmuxAsync, type TmuxOptions } from "./run.ts";

/**
 * Types `text` as characters: -l stops tmux from reading key names (`Enter`, `C-c`) in it.
 * tmux's getopt would take a leading `-` for a flag (`unknown flag -x`), so only such text gets `--`.
 */
export function sendKeysLiteral(pane: string, text: string, options: TmuxOptions = {}): void {
  const endOfFlags = text.startsWith("-") ? ["--"] : [];
  runTmux(["send-keys", "-t", pane, "-l", ...endOfFlags, text], options);
}

/** Presses one named key (`Enter`) or types a single digit. */
export function sendKey(pane: string, key: string, options: TmuxOptions = {}): void {
  runTmux(["send-keys", "-t", pane, key], options);
}

/** Asks the coding agent to quit: `/exit` typed as text, `Enter` as a key, in one call. */
export function sendExit(pane: string, { ignorePaneGone }: { ignorePaneGone: boolean }): void {
  try {
    runTmux(["send-keys", "-t", pane, "/exit", "Enter"]);
  } catch (error) {
    if (!(ignorePaneGone && isPaneGone(error))) throw error;
  }
}

export async function sendKeysLiteralAsync(
  pane: string,
  text: string,
  options: TmuxOptions = {},
): Promise<void> {
  const endOfFlags = text.startsWith("-") ? ["--"] : [];
  await runTmuxAsync(["send-keys", "-t", pane, "-l", ...endOfFlags, text], options);
}

export async function sendKeyAsync(pane: string, key: string, options: TmuxOptions = {}): Promise<void> {
  await runTmuxAsync(["send-keys", "-t", pane, key], options);
}
