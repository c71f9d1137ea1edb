import { literalTextBudget, TmuxError, type TmuxServer, utf8Length } from "./argv.ts";
import { isPaneGone, runTmuxAsync, runTmuxCommandsAsync, type TmuxOptions } from "./run.ts";

/**
 * The tmux verbs on one pane, each addressed to the pane's own server. Every send-keys argv is
 * built here: text goes with -l (key names such as `Enter` or `C-c` in it stay characters), keys
 * without it.
 */
export type PaneRef = { id: string; server: TmuxServer };

type Call = { timeoutSeconds?: number };

function options(ref: PaneRef, call: Call): TmuxOptions {
  return { server: ref.server, timeoutSeconds: call.timeoutSeconds };
}

/** Refuses, before any key is pressed, a text that one send-keys cannot carry. */
export function requireTypeable(ref: PaneRef, text: string): void {
  const budget = literalTextBudget(ref.id);
  const bytes = utf8Length(text);
  if (bytes > budget)
    throw new TmuxError(
      `the text is ${bytes} bytes; tmux takes at most ${budget} bytes in one command — send it in shorter parts`,
    );
}

/**
 * Types `text` as characters. tmux's getopt would take a leading `-` for a flag
 * (`unknown flag -x`), so only such text gets `--`.
 */
export async function typeText(ref: PaneRef, text: string, call: Call = {}): Promise<void> {
  requireTypeable(ref, text);
  const endOfFlags = text.startsWith("-") ? ["--"] : [];
  await runTmuxAsync(["send-keys", "-t", ref.id, "-l", ...endOfFlags, text], options(ref, call));
}

/** Presses named keys (`Enter`, `Escape`) or single characters, in one call. */
export async function pressKeys(ref: PaneRef, keys: string[], call: Call = {}): Promise<void> {
  await runTmuxAsync(["send-keys", "-t", ref.id, ...keys], options(ref, call));
}

/** The pane's last `lines` lines, unmodified (tmux.md §6). */
export async function capturePane(ref: PaneRef, lines: number): Promise<string> {
  if (lines <= 0) throw new TmuxError(`capture_pane: lines must be positive, got ${lines}`);
  return runTmuxAsync(["capture-pane", "-p", "-t", ref.id, "-S", `-${lines}`], options(ref, {}));
}

/**
 * What a push looks at, in one tmux call: the program in the foreground, the pane's title (Codex
 * spins a braille frame in it while it streams, and nothing else on its screen says so) and the
 * visible screen.
 */
export type PaneView = { command: string; title: string; screen: string };

export const PANE_VIEW_FORMAT = "#{pane_current_command}\t#{pane_title}";

export async function readPaneView(ref: PaneRef, call: Call = {}): Promise<PaneView> {
  const output = await runTmuxCommandsAsync(
    [
      ["display-message", "-p", "-t", ref.id, PANE_VIEW_FORMAT],
      ["capture-pane", "-p", "-t", ref.id],
    ],
    options(ref, call),
  );
  const newline = output.indexOf("\n");
  const head = newline < 0 ? output : output.slice(0, newline);
  const tab = head.indexOf("\t");
  return {
    command: (tab < 0 ? head : head.slice(0, tab)).trim(),
    title: tab < 0 ? "" : head.slice(tab + 1),
    screen: newline < 0 ? "" : output.slice(newline + 1),
  };
}

export async function listPaneIds(server: TmuxServer, call: Call = {}): Promise<string[]> {
  const output = await runTmuxAsync(["list-panes", "-a", "-F", "#{pane_id}"], {
    server,
    timeoutSeconds: call.timeoutSeconds,
  });
  return output.split(/\s+/).filter(Boolean);
}

/** Whether the pane is alive on its own server; tmux failures propagate. */
export async function paneExists(ref: PaneRef): Promise<boolean> {
  return (await listPaneIds(ref.server)).includes(ref.id);
}

const CHECK_INTERVAL_MS = 500;

/**
 * Checks at once, then every 500 ms, until the pane is gone (true) or `timeoutSeconds` have
 * passed on the monotonic clock (false). A 2 s timeout means 5 checks and 4 sleeps.
 */
export async function waitForPaneGone(ref: PaneRef, timeoutSeconds: number): Promise<boolean> {
  const start = performance.now();
  for (;;) {
    if (!(await paneExists(ref))) return true;
    if (performance.now() - start >= timeoutSeconds * 1000) return false;
    await Bun.sleep(CHECK_INTERVAL_MS);
  }
}

export async function killPane(ref: PaneRef, { ignorePaneGone }: { ignorePaneGone: boolean }): Promise<void> {
  try {
    await runTmuxAsync(["kill-pane", "-t", ref.id], options(ref, {}));
  } catch (error) {
    if (!(ignorePaneGone && isPaneGone(error))) throw error;
  }
}
