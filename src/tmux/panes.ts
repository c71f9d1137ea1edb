import { isPaneGone, runTmux } from "./run.ts";

export function listPaneIds(): string[] {
  return runTmux(["list-panes", "-a", "-F", "#{pane_id}"]).split(/\s+/).filter(Boolean);
}

/** Whether `pane` is alive anywhere on the server; tmux failures propagate. */
export function paneExists(pane: string): boolean {
  return listPaneIds().includes(pane);
}

const CHECK_INTERVAL_MS = 500;

/**
 * Checks at once, then every 500 ms, until the pane is gone (true) or `timeoutSeconds` have
 * passed on the monotonic clock (false). A 2 s timeout means 5 checks and 4 sleeps.
 */
export async function waitForPaneGone(pane: string, timeoutSeconds: number): Promise<boolean> {
  const start = performance.now();
  for (;;) {
    if (!paneExists(pane)) return true;
    if (performance.now() - start >= timeoutSeconds * 1000) return false;
    await Bun.sleep(CHECK_INTERVAL_MS);
  }
}

export function killPane(pane: string, { ignorePaneGone }: { ignorePaneGone: boolean }): void {
  try {
    runTmux(["kill-pane", "-t", pane]);
  } catch (error) {
    if (!(ignorePaneGone && isPaneGone(error))) throw error;
  }
}
