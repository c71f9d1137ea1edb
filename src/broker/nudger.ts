import { readPaneState } from "../tmux/screen.ts";
import { findPlacement } from "./agents.ts";
import { openDatabase } from "./db.ts";
import {
  acquireNudgeLease,
  dropNudgeLease,
  listUnfetched,
  type PendingDelivery,
  paneGoneAt,
  releaseNudgeLeaseIfDone,
} from "./delivery.ts";
import { pollCommand, pushLine } from "./notify.ts";

/**
 * The background nudger of one recipient (`cafleet __nudge <session> <agent>`, started by
 * notify.ts, not listed in help). It types one poll line for every delivery that is held (the
 * pane was busy) or due for a re-nudge, only while the pane is not busy, and stops when nothing
 * unfetched is left, the re-nudges are used up, the pane is gone, or MAX_LIFE_MS has passed.
 */

const DEFAULT_BACKOFF_MS = [30_000, 120_000, 480_000];
/** How often a held push re-reads a busy pane, and how often an idle nudger renews its lease. */
const DEFAULT_TICK_MS = 1000;
const DEFAULT_IDLE_TICK_MS = 5000;
const MAX_LIFE_MS = 30 * 60_000;
const LEASE_TTL_MS = 15_000;

type Knobs = { backoffMs: number[]; tickMs: number; idleTickMs: number; senderGraceMs: number };

/** A sender's own push (screen check, text, pause, Enter, bookkeeping) ends well within this. */
const DEFAULT_SENDER_GRACE_MS = 2000;

/**
 * CAFLEET_TEST_NUDGE_* are test-only knobs (read here and nowhere else) to run this in seconds;
 * a backoff of `none` turns re-nudges off (tests that count typed lines use it).
 */
function readKnobs(env: Record<string, string | undefined>): Knobs {
  const tick = Number(env.CAFLEET_TEST_NUDGE_TICK_MS);
  const tickMs = tick > 0 ? tick : DEFAULT_TICK_MS;
  const idleTickMs = tick > 0 ? tick : DEFAULT_IDLE_TICK_MS;
  const senderGraceMs = tick > 0 ? Math.min(DEFAULT_SENDER_GRACE_MS, tick * 10) : DEFAULT_SENDER_GRACE_MS;
  if (env.CAFLEET_TEST_NUDGE_BACKOFF_MS === "none")
    return { backoffMs: [], tickMs, idleTickMs, senderGraceMs };
  const backoff = (env.CAFLEET_TEST_NUDGE_BACKOFF_MS ?? "")
    .split(",")
    .map(Number)
    .filter((value) => value > 0);
  return { backoffMs: backoff.length > 0 ? backoff : DEFAULT_BACKOFF_MS, tickMs, idleTickMs, senderGraceMs };
}

function millis(iso: string): number {
  return Date.parse(`${iso.slice(0, 23)}Z`);
}

/**
 * When a delivery wants its next line: a held one once its sender has had time to push it (a
 * nudger still running for older mail must not type a line the sender is typing right now),
 * a nudged one after its backoff step; null when the re-nudges are used up.
 */
function dueAt(pending: PendingDelivery, knobs: Knobs): number | null {
  if (pending.nudge_count === 0 || pending.last_nudged_at === null)
    return millis(pending.created_at) + knobs.senderGraceMs;
  const step = knobs.backoffMs[pending.nudge_count - 1];
  return step === undefined ? null : millis(pending.last_nudged_at) + step;
}

/** `cafleet --session-id S poll --agent-id R  # from A, B`: the shell ignores the comment, the agent reads it. */
function nudgeLine(sessionId: string, recipientId: string, due: PendingDelivery[]): string {
  const names = [...new Set(due.map((pending) => pending.from_name.replace(/[\p{Cc}]/gu, " ")))];
  return `${pollCommand(sessionId, recipientId)}  # from ${names.join(", ")}`;
}

export async function runNudger(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const [sessionId, agentId] = args;
  if (!sessionId || !agentId) return;
  const knobs = readKnobs(env);
  const { db } = openDatabase(env);
  const holder = `${process.pid}-${crypto.randomUUID()}`;
  if (!acquireNudgeLease(db, agentId, holder, LEASE_TTL_MS)) return;
  const started = performance.now();
  const live = () => listUnfetched(db, agentId).filter((pending) => dueAt(pending, knobs) !== null);
  try {
    while (performance.now() - started < MAX_LIFE_MS) {
      const placement = findPlacement(db, agentId);
      const pane = placement?.tmux_pane_id;
      if (!placement || !pane || paneGoneAt(db, agentId) !== null) return;
      const pending = live();
      if (pending.length === 0) {
        if (releaseNudgeLeaseIfDone(db, agentId, holder, () => live().length > 0)) return;
        continue;
      }
      const now = Date.now();
      const due = pending.filter((item) => (dueAt(item, knobs) ?? Infinity) <= now);
      let wait = knobs.tickMs;
      if (due.length > 0 && (await readPaneState(pane, placement.coding_agent)) !== "busy") {
        const target = { pane, codingAgent: placement.coding_agent };
        const ids = due.map((item) => item.task_id);
        if (!(await pushLine(db, agentId, target, nudgeLine(sessionId, agentId, due), ids))) return;
      } else if (due.length === 0) {
        const next = Math.min(...pending.map((item) => dueAt(item, knobs) ?? Infinity));
        // Nothing to type before `next`: sleep towards it, waking only to renew the lease.
        wait = Math.max(10, Math.min(knobs.idleTickMs, next - now));
      }
      acquireNudgeLease(db, agentId, holder, LEASE_TTL_MS);
      await Bun.sleep(wait);
    }
  } finally {
    dropNudgeLease(db, agentId, holder);
    db.close();
  }
}
