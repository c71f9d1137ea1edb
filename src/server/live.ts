import { lastChange, listTimelineMessages, sessionAgentsStamp } from "../broker/timeline.ts";
import { dataVersion } from "../broker/watch.ts";
import type { Database } from "../store/database.ts";
import type { Fleet, LiveEvent, Message } from "./model.ts";

/**
 * Notices writes made by any process (webui.md §5.1) by comparing PRAGMA data_version on a
 * connection of its own, and only while at least one page listens. A change re-reads only the
 * rows whose status moved since the last look, never the whole timeline.
 *
 * The fleet console rides along: while a session has a listener its fleet is read about once a
 * second (screens change without any database write) and after every data change (unread
 * counts), and sent only when it differs from the last one sent, plus once to each new listener.
 */

export const WATCH_INTERVAL_MS = 150;
export const FLEET_INTERVAL_MS = 1000;

// Timestamps come from several processes' clocks: look back a little and let the page merge by id.
const LOOKBACK_MS = 1000;

export type Listener = { change: (event: LiveEvent) => void; fleet: (fleet: Fleet) => void };

type Subscriber = Listener & { sawFleet: boolean };

/**
 * One fleet read at a time per session; a request during a read runs one more after it.
 * `screens`: whether the next read looks at the panes too (a data change alone needs no tmux).
 */
type FleetLook = { sent: string | null; reading: boolean; again: boolean; screens: boolean };

type Watched = { listeners: Set<Subscriber>; cursor: string; agentsStamp: string; fleet: FleetLook };

export type FleetSource = {
  read: (sessionId: string, screens: boolean) => Promise<Fleet>;
  intervalMs: number;
};

function lookBack(timestamp: string): string {
  const millis = Date.parse(timestamp);
  if (Number.isNaN(millis)) return timestamp;
  return `${new Date(millis - LOOKBACK_MS).toISOString().slice(0, 23)}000+00:00`;
}

function newestChange(messages: Message[]): string | undefined {
  let newest: string | undefined;
  for (const message of messages) {
    const at = lastChange(message);
    if (newest === undefined || at > newest) newest = at;
  }
  return newest;
}

export class LiveFeed {
  private sessions = new Map<string, Watched>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private fleetTimer: ReturnType<typeof setInterval> | null = null;
  private lastVersion = 0;

  constructor(
    private readonly watchDb: Database,
    private readonly intervalMs: number,
    private readonly fleetSource: FleetSource,
  ) {}

  subscribe(sessionId: string, listener: Listener): () => void {
    let watched = this.sessions.get(sessionId);
    if (!watched) {
      const newest = newestChange(listTimelineMessages(this.watchDb, sessionId)) ?? "";
      watched = {
        listeners: new Set(),
        cursor: newest,
        agentsStamp: sessionAgentsStamp(this.watchDb, sessionId),
        fleet: { sent: null, reading: false, again: false, screens: false },
      };
      this.sessions.set(sessionId, watched);
    }
    const subscriber: Subscriber = { ...listener, sawFleet: false };
    watched.listeners.add(subscriber);
    this.start();
    void this.lookAtFleet(sessionId, watched, true);
    return () => {
      if (!watched.listeners.delete(subscriber)) return;
      if (watched.listeners.size === 0 && this.sessions.get(sessionId) === watched)
        this.sessions.delete(sessionId);
      if (this.sessions.size === 0) this.stop();
    };
  }

  get listening(): boolean {
    return this.timer !== null;
  }

  close(): void {
    this.sessions.clear();
    this.stop();
  }

  private start(): void {
    if (this.timer) return;
    this.lastVersion = dataVersion(this.watchDb);
    this.timer = setInterval(() => this.check(), this.intervalMs);
    if (this.watchDb.nextChange) void this.checkOnNotifications(this.timer);
    this.fleetTimer = setInterval(() => this.lookAtFleets(true), this.fleetSource.intervalMs);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    this.timer = null;
    this.fleetTimer = null;
  }

  /** PostgreSQL: looks as soon as a change notification arrives, not at the next tick. */
  private async checkOnNotifications(timer: ReturnType<typeof setInterval>): Promise<void> {
    while (this.timer === timer) {
      await this.watchDb.nextChange?.(this.lastVersion, this.intervalMs * 10);
      if (this.timer === timer) this.check();
    }
  }

  private check(): void {
    const version = dataVersion(this.watchDb);
    if (version === this.lastVersion) return;
    this.lastVersion = version;
    for (const [sessionId, watched] of this.sessions) this.checkSession(sessionId, watched);
    this.lookAtFleets(false);
  }

  private lookAtFleets(screens: boolean): void {
    for (const [sessionId, watched] of this.sessions) void this.lookAtFleet(sessionId, watched, screens);
  }

  private async lookAtFleet(sessionId: string, watched: Watched, screens: boolean): Promise<void> {
    const look = watched.fleet;
    look.screens ||= screens;
    if (look.reading) {
      look.again = true;
      return;
    }
    look.reading = true;
    try {
      do {
        look.again = false;
        const withScreens = look.screens;
        look.screens = false;
        const fleet = await this.fleetSource.read(sessionId, withScreens);
        // The last page may have left (or the feed closed) while the panes were read.
        if (this.sessions.get(sessionId) !== watched) return;
        const text = JSON.stringify(fleet);
        const changed = text !== look.sent;
        look.sent = text;
        for (const subscriber of watched.listeners) {
          if (!changed && subscriber.sawFleet) continue;
          subscriber.sawFleet = true;
          subscriber.fleet(fleet);
        }
      } while (look.again);
    } catch {
      // A failed read (a busy database) sends nothing; the next tick reads again.
    } finally {
      look.reading = false;
    }
  }

  private checkSession(sessionId: string, watched: Watched): void {
    const since = watched.cursor === "" ? undefined : lookBack(watched.cursor);
    const messages = listTimelineMessages(this.watchDb, sessionId, { since });
    const agentsStamp = sessionAgentsStamp(this.watchDb, sessionId);
    const agentsChanged = agentsStamp !== watched.agentsStamp;
    const newest = newestChange(messages);
    const moved = newest !== undefined && newest > watched.cursor;
    if (!moved && !agentsChanged) return;
    if (moved) watched.cursor = newest;
    watched.agentsStamp = agentsStamp;
    const event: LiveEvent = { messages, agents_changed: agentsChanged };
    for (const listener of watched.listeners) listener.change(event);
  }
}
