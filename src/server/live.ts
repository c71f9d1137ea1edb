import type { Database } from "bun:sqlite";
import { dataVersion, lastChange, listTimelineMessages, sessionAgentsStamp } from "../broker/timeline.ts";
import type { LiveEvent, Message } from "./model.ts";

/**
 * Notices writes made by any process (webui.md §5.1) by comparing PRAGMA data_version on a
 * connection of its own, and only while at least one page listens. A change re-reads only the
 * rows whose status moved since the last look, never the whole timeline.
 */

export const WATCH_INTERVAL_MS = 150;

// Timestamps come from several processes' clocks: look back a little and let the page merge by id.
const LOOKBACK_MS = 1000;

type Listener = (event: LiveEvent) => void;

type Watched = { listeners: Set<Listener>; cursor: string; agentsStamp: string };

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
  private lastVersion = 0;

  constructor(
    private readonly watchDb: Database,
    private readonly intervalMs = WATCH_INTERVAL_MS,
  ) {}

  subscribe(sessionId: string, listener: Listener): () => void {
    let watched = this.sessions.get(sessionId);
    if (!watched) {
      const newest = newestChange(listTimelineMessages(this.watchDb, sessionId)) ?? "";
      watched = {
        listeners: new Set(),
        cursor: newest,
        agentsStamp: sessionAgentsStamp(this.watchDb, sessionId),
      };
      this.sessions.set(sessionId, watched);
    }
    watched.listeners.add(listener);
    this.start();
    return () => {
      if (!watched.listeners.delete(listener)) return;
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
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const version = dataVersion(this.watchDb);
    if (version === this.lastVersion) return;
    this.lastVersion = version;
    for (const [sessionId, watched] of this.sessions) this.checkSession(sessionId, watched);
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
    for (const listener of watched.listeners) listener(event);
  }
}
