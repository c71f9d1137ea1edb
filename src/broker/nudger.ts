import type { Database } from "../store/database.ts";
import { openDatabase } from "./db.ts";
import {
  acquireSessionNudger,
  dropSessionNudger,
  holdReportMs,
  listSessionUnfetched,
  type PendingDelivery,
  releaseSessionNudgerIfDone,
} from "./delivery.ts";
import { reportLongHolds } from "./hold-report.ts";
import { startNudger } from "./notify.ts";
import { pushAll, pushTarget } from "./push.ts";
import { pushPollLine } from "./push-line.ts";
import { hasLiveMembers, watchKnobs, watchMembers } from "./supervision.ts";
import { millisOf } from "./time.ts";

/**
 * The background nudger of one session (`cafleet __nudge <session>`, started by notify.ts, not
 * listed in help): one process however many recipients wait. Each tick it types one line per
 * recipient for everything held (the pane was not at its idle prompt) or due for a re-nudge,
 * with the same screen rules as the first push, tells a Director once about a member whose push
 * has been held for long, and runs the session's watcher (supervision.ts) while the session has
 * live members. It exits when nothing unfetched is left to push (re-nudges used up, panes gone,
 * their tmux server gone) and no member is left to watch; after MAX_LIFE_MS it hands over to a
 * fresh process.
 */

const DEFAULT_BACKOFF_MS = [30_000, 120_000, 480_000];
/** How often a held push re-reads its pane, and how often an idle nudger renews its lease. */
const DEFAULT_TICK_MS = 1000;
const DEFAULT_IDLE_TICK_MS = 5000;
const MAX_LIFE_MS = 30 * 60_000;
const LEASE_TTL_MS = 15_000;
/** A sender's own push (screen reads, text, pause, Enter, bookkeeping) ends well within this. */
const DEFAULT_SENDER_GRACE_MS = 2000;

export type Knobs = {
  backoffMs: number[];
  tickMs: number;
  idleTickMs: number;
  senderGraceMs: number;
  holdReportMs: number;
};

/**
 * CAFLEET_TEST_NUDGE_* are test-only knobs (read here and nowhere else) to run this in
 * seconds; a backoff of `none` turns re-nudges off (tests that count typed lines use it).
 */
export function readKnobs(env: Record<string, string | undefined>): Knobs {
  const tick = Number(env.CAFLEET_TEST_NUDGE_TICK_MS);
  const tickMs = tick > 0 ? tick : DEFAULT_TICK_MS;
  const idleTickMs = tick > 0 ? tick : DEFAULT_IDLE_TICK_MS;
  const senderGraceMs = tick > 0 ? Math.min(DEFAULT_SENDER_GRACE_MS, tick * 10) : DEFAULT_SENDER_GRACE_MS;
  const common = { tickMs, idleTickMs, senderGraceMs, holdReportMs: holdReportMs(env) };
  if (env.CAFLEET_TEST_NUDGE_BACKOFF_MS === "none") return { backoffMs: [], ...common };
  const backoff = (env.CAFLEET_TEST_NUDGE_BACKOFF_MS ?? "")
    .split(",")
    .map(Number)
    .filter((value) => value > 0);
  return { backoffMs: backoff.length > 0 ? backoff : DEFAULT_BACKOFF_MS, ...common };
}

/**
 * When a delivery wants its next line: a held or not yet pushed one once its sender has had
 * time to push it (a nudger must not type a line the sender is typing right now), a nudged one
 * after its backoff step; null when the re-nudges are used up.
 */
export function dueAt(pending: PendingDelivery, knobs: Knobs): number | null {
  if (pending.nudge_count === 0 || pending.last_nudged_at === null)
    return millisOf(pending.created_at) + knobs.senderGraceMs;
  if (pending.held_at !== null) return millisOf(pending.held_at);
  const step = knobs.backoffMs[pending.nudge_count - 1];
  return step === undefined ? null : millisOf(pending.last_nudged_at) + step;
}

/** Names in a nudge line are cut short: a name of any length must not make the line untypeable. */
const NAME_LIMIT = 40;

function shortName(name: string): string {
  const clean = name.replace(/[\p{Cc}]/gu, " ");
  return [...clean].length <= NAME_LIMIT ? clean : `${[...clean].slice(0, NAME_LIMIT - 1).join("")}…`;
}

/** `cafleet --session-id S poll --agent-id R  # from A, B`: the shell ignores the comment, the agent reads it. */
export function nudgeLine(sessionId: string, recipientId: string, fromNames: string[]): string {
  const names = [...new Set(fromNames.map(shortName))];
  const shown = names.length > 5 ? [...names.slice(0, 5), `${names.length - 5} more`] : names;
  return `${pushPollLine(sessionId, recipientId)}  # from ${shown.join(", ")}`;
}

export async function nudgeDue(db: Database, sessionId: string, due: PendingDelivery[]): Promise<void> {
  const targets = [...Map.groupBy(due, (pending) => pending.recipient_id)].flatMap(([recipientId, group]) => {
    const line = nudgeLine(
      sessionId,
      recipientId,
      group.map((pending) => pending.from_name),
    );
    const target = pushTarget(db, "", {
      recipientId,
      line,
      taskIds: group.map((pending) => pending.task_id),
    });
    return target ? [target] : [];
  });
  if (targets.length > 0) await pushAll(db, targets);
}

export async function runNudger(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const [sessionId] = args;
  if (!sessionId) return;
  const knobs = readKnobs(env);
  const watch = watchKnobs(env);
  const { db } = openDatabase(env);
  const holder = `${process.pid}-${crypto.randomUUID()}`;
  if (!acquireSessionNudger(db, sessionId, holder, LEASE_TTL_MS)) return;
  const started = performance.now();
  const live = () => listSessionUnfetched(db, sessionId).filter((pending) => dueAt(pending, knobs) !== null);
  const watching = () => watch.enabled && hasLiveMembers(db, sessionId);
  let nextWatch = 0;
  let handOver = false;
  try {
    while (performance.now() - started < MAX_LIFE_MS) {
      const pending = live();
      if (pending.length === 0 && !watching()) {
        if (releaseSessionNudgerIfDone(db, sessionId, holder, () => live().length > 0 || watching())) return;
        continue;
      }
      const now = Date.now();
      const due = pending.filter((item) => (dueAt(item, knobs) ?? Infinity) <= now);
      let wait = knobs.tickMs;
      if (due.length > 0) await nudgeDue(db, sessionId, due);
      else {
        const next = Math.min(...pending.map((item) => dueAt(item, knobs) ?? Infinity));
        // Nothing to type before `next`: sleep towards it, waking only to renew the lease.
        wait = Math.max(10, Math.min(knobs.idleTickMs, next - now));
      }
      if (watch.enabled && performance.now() >= nextWatch) {
        await watchMembers(db, sessionId, { backoffMs: knobs.backoffMs });
        nextWatch = performance.now() + watch.everyMs;
      }
      if (watch.enabled) wait = Math.max(10, Math.min(wait, nextWatch - performance.now()));
      await reportLongHolds(db, sessionId, knobs.holdReportMs);
      acquireSessionNudger(db, sessionId, holder, LEASE_TTL_MS);
      await Bun.sleep(wait);
    }
    handOver = true;
  } finally {
    dropSessionNudger(db, sessionId, holder);
    // A watcher outlives MAX_LIFE_MS by handing the session to a fresh process.
    if (handOver && (live().length > 0 || watching())) startNudger(db, sessionId);
    db.close();
  }
}
