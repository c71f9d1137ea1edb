import { messageOf } from "../errors.ts";
import { BACKENDS, isCodingAgent } from "../repl/backends.ts";
import { type Look, lookAtPane } from "../repl/look.ts";
import { type HoldReason, holdReasonOf } from "../repl/screen.ts";
import type { Database } from "../store/database.ts";
import { type PaneRef, paneExists, pressKeys, typeText } from "../tmux/pane.ts";
import { isPaneGone, isServerGone, tmuxOnPath } from "../tmux/run.ts";
import { markPaneGone, recordHeld, recordNudged, recordPushFailed } from "./delivery.ts";
import { findPaneAddress, isOnThisHost } from "./pane-address.ts";

/**
 * The push: after a message is committed, type one poll line into each recipient's pane and
 * press Enter, but only where the screen is a recognised idle prompt (tmux.md §10). A modal
 * (permission prompt, question, approval), a busy REPL or an unrecognised screen holds the push;
 * the background nudger (nudger.ts) delivers it once the pane is idle again.
 */

export type PushRequest = { recipientId: string; line: string; taskIds: string[] };

type Target = PushRequest & { ref: PaneRef; repl: string };

const CALL = { timeoutSeconds: 5 };

/**
 * A REPL that streams text or runs a spinner changes its screen between two reads, even where
 * the hint that says so has scrolled away (Codex drops "esc to interrupt" while text streams).
 */
const STABLE_SCREEN_MS = 120;

/** The pause a pane needs between the typed text and its Enter; an unknown REPL gets the longest. */
const LONGEST_ENTER_PAUSE_MS = Math.max(...Object.values(BACKENDS).map((backend) => backend.enterPauseMs));

function enterPauseMs(target: Target): number {
  return isCodingAgent(target.repl) ? BACKENDS[target.repl].enterPauseMs : LONGEST_ENTER_PAUSE_MS;
}

/**
 * tmux.md §5 steps 1-3: self-sends, agents without a pane and a missing tmux get no push; nor
 * does a pane of another host, which that host's relay pushes (relay.ts).
 */
export function pushTarget(db: Database, senderId: string, request: PushRequest): Target | null {
  if (request.recipientId === senderId) return null;
  const address = findPaneAddress(db, request.recipientId);
  if (!address || !isOnThisHost(address) || !tmuxOnPath()) return null;
  return { ...request, ref: { id: address.pane, server: address.server }, repl: address.repl };
}

type Outcome = { target: Target; sent: boolean; held: boolean };

/**
 * Pushes every target and returns, per recipient, whether its line was submitted now. Panes are
 * read, typed into and Entered together, so a broadcast costs one pause, not one per recipient;
 * two recipients that share a pane go one after the other (their lines must not interleave).
 */
export async function pushAll(db: Database, targets: Target[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const round of roundsByPane(targets)) outcomes.push(...(await pushRound(db, round)));
  return outcomes;
}

function paneKey(ref: PaneRef): string {
  return `${ref.server ?? ""}\u0000${ref.id}`;
}

function roundsByPane(targets: Target[]): Target[][] {
  const rounds: Target[][] = [];
  const seen = new Map<string, number>();
  for (const target of targets) {
    const key = paneKey(target.ref);
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const round = rounds[index];
    if (round) round.push(target);
    else rounds.push([target]);
  }
  return rounds;
}

type Looked = Look & { target: Target };

async function pushRound(db: Database, round: Target[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const first = await lookAll(db, round, outcomes);
  const needsSecondLook = first.filter((looked) => looked.state.kind === "idle");
  let ready = first.filter((looked) => looked.state.kind === "shell");
  if (needsSecondLook.length > 0) {
    await Bun.sleep(STABLE_SCREEN_MS);
    const second = await lookAll(
      db,
      needsSecondLook.map((looked) => looked.target),
      outcomes,
    );
    for (const looked of second) {
      const before = needsSecondLook.find((item) => item.target === looked.target)!;
      if (looked.state.kind === "idle" && looked.view.screen === before.view.screen) ready.push(looked);
      else
        hold(
          db,
          looked.target,
          looked.state.kind === "idle" ? "streaming" : holdReasonOf(looked.state),
          outcomes,
        );
    }
  }
  for (const looked of first)
    if (looked.state.kind !== "idle" && looked.state.kind !== "shell")
      hold(db, looked.target, holdReasonOf(looked.state), outcomes);

  ready = await settle(
    db,
    ready,
    (looked) => typeText(looked.target.ref, looked.target.line, CALL),
    outcomes,
  );
  if (ready.length === 0) return outcomes;
  await Bun.sleep(Math.max(...ready.map((looked) => enterPauseMs(looked.target))));
  // The last look before Enter: a dialog that opened meanwhile would take the Enter as its "Yes".
  const checked = await lookAll(
    db,
    ready.map((looked) => looked.target),
    outcomes,
  );
  const submittable = checked.filter((looked) => {
    if (looked.state.kind === "modal" || looked.state.kind === "busy") {
      hold(db, looked.target, holdReasonOf(looked.state), outcomes);
      return false;
    }
    return true;
  });
  const entered = await settle(
    db,
    submittable,
    (looked) => pressKeys(looked.target.ref, ["Enter"], CALL),
    outcomes,
  );
  for (const looked of entered) {
    recordNudged(db, looked.target.taskIds);
    outcomes.push({ target: looked.target, sent: true, held: false });
  }
  return outcomes;
}

function hold(db: Database, target: Target, reason: HoldReason, outcomes: Outcome[]): void {
  recordHeld(db, target.taskIds, reason);
  outcomes.push({ target, sent: false, held: true });
}

async function lookAll(db: Database, targets: Target[], outcomes: Outcome[]): Promise<Looked[]> {
  const looked = await Promise.all(
    targets.map(async (target): Promise<Looked | null> => {
      try {
        return { target, ...(await lookAtPane(target.ref, target.repl, CALL)) };
      } catch (error) {
        await recordFailure(db, target, error);
        outcomes.push({ target, sent: false, held: false });
        return null;
      }
    }),
  );
  return looked.filter((item) => item !== null);
}

/** Runs `step` on every pane at once; a pane whose call fails drops out with its failure recorded. */
async function settle(
  db: Database,
  items: Looked[],
  step: (looked: Looked) => Promise<void>,
  outcomes: Outcome[],
): Promise<Looked[]> {
  const results = await Promise.all(
    items.map(async (looked) => {
      try {
        await step(looked);
        return looked;
      } catch (error) {
        await recordFailure(db, looked.target, error);
        outcomes.push({ target: looked.target, sent: false, held: false });
        return null;
      }
    }),
  );
  return results.filter((item) => item !== null);
}

/**
 * A failed call is recorded on the tasks. The pane is marked gone only when its own server,
 * asked again, lists no such pane: one failed call (a wrong server, a timeout) proves nothing.
 */
async function recordFailure(db: Database, target: Target, error: unknown): Promise<void> {
  recordPushFailed(db, target.taskIds, messageOf(error));
  if ((isPaneGone(error) || isServerGone(error)) && (await confirmedGone(target.ref)))
    markPaneGone(db, target.recipientId, target.ref.id);
}

/** Asked again on the pane's own server: not listed, or no server there at all. */
export async function confirmedGone(ref: PaneRef): Promise<boolean> {
  try {
    return !(await paneExists(ref));
  } catch (error) {
    return isServerGone(error);
  }
}
