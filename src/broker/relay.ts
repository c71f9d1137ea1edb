import type { Database } from "../store/database.ts";
import { openDatabase } from "./db.ts";
import {
  acquireRelay,
  dropRelay,
  hostLivePanes,
  listRelayUnfetched,
  markPaneGone,
  type PendingDelivery,
} from "./delivery.ts";
import { thisHost } from "./host.ts";
import { dueAt, nudgeDue, readKnobs } from "./nudger.ts";
import { confirmedGone } from "./push.ts";
import { dataVersion, nextLook } from "./watch.ts";

/**
 * The relay of one host (`cafleet __relay`, started by notify.ts's startRelay when a pane is
 * placed on the host, not listed in help): with a store several hosts share, a sender types only
 * into panes of its own host, and what it wrote for a pane here waits for this process. It wakes
 * on each change notification, pushes those deliveries with the same screen rules as a sender's
 * own push (a held one is retried each tick until its pane is idle, then re-nudged like the
 * nudger's), and exits when its host has no live pane left (it asks tmux about them now and
 * then: a pane or a whole tmux server can go without any cafleet command noticing). One per
 * host: a lease on its row of `relays`, renewed as it runs.
 */

const LEASE_TTL_MS = 15_000;
/** Renewed well before it runs out, and not at every wake-up: each renewal is a write. */
const LEASE_RENEW_MS = 5000;

export async function runRelay(env: Record<string, string | undefined>): Promise<void> {
  // Nobody else pushes what another host wrote: the first push is due at once.
  const knobs = { ...readKnobs(env), senderGraceMs: 0 };
  const { db } = openDatabase(env);
  const host = thisHost(env);
  const holder = `${process.pid}-${crypto.randomUUID()}`;
  if (!acquireRelay(db, host, holder, LEASE_TTL_MS)) return db.close();
  // A held push is looked at again once a tick, not at every change its own bookkeeping causes.
  const triedAt = new Map<string, number>();
  let panesCheckedAt = performance.now();
  let renewedAt = performance.now();
  try {
    let seen = dataVersion(db);
    while (hostLivePanes(db, host).length > 0) {
      if (performance.now() - panesCheckedAt >= knobs.idleTickMs) {
        await markGonePanes(db, host);
        panesCheckedAt = performance.now();
      }
      const now = Date.now();
      const pending = listRelayUnfetched(db, host).filter((item) => dueAt(item, knobs) !== null);
      const due = pending.filter(
        (item) =>
          (dueAt(item, knobs) ?? Infinity) <= now && now - (triedAt.get(item.task_id) ?? 0) >= knobs.tickMs,
      );
      for (const item of due) triedAt.set(item.task_id, now);
      for (const [sessionId, group] of Map.groupBy(due, (item) => item.session_id))
        await pushGroup(db, sessionId, group);
      if (performance.now() - renewedAt >= LEASE_RENEW_MS) {
        acquireRelay(db, host, holder, LEASE_TTL_MS);
        renewedAt = performance.now();
      }
      const next = Math.min(
        now + knobs.idleTickMs,
        ...pending.map((item) =>
          Math.max(dueAt(item, knobs) ?? Infinity, (triedAt.get(item.task_id) ?? 0) + knobs.tickMs),
        ),
      );
      await nextLook(db, seen, Math.max(10, next - Date.now()));
      seen = dataVersion(db);
    }
  } finally {
    dropRelay(db, host, holder);
    db.close();
  }
}

async function markGonePanes(db: Database, host: string): Promise<void> {
  for (const live of hostLivePanes(db, host))
    if (await confirmedGone({ id: live.pane, server: live.server }))
      markPaneGone(db, live.agent_id, live.pane);
}

async function pushGroup(db: Database, sessionId: string, group: PendingDelivery[]): Promise<void> {
  try {
    await nudgeDue(db, sessionId, group);
  } catch {
    // A pane or tmux server gone mid-push: the next look sees what the push recorded.
  }
}
