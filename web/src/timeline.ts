import type { Agent, Message } from "./api.ts";
import { byKey } from "./order.ts";

/** Turns API rows into timeline entries (webui.md §4.5): broadcasts grouped, oldest first. */

export type Entry = { key: string; sortKey: string; broadcast: boolean; rows: Message[] };

export function groupEntries(messages: Message[]): Entry[] {
  const entries: Entry[] = [];
  const broadcasts = new Map<string, Entry>();
  for (const row of messages) {
    if (row.origin_task_id === null) {
      entries.push({ key: row.task_id, sortKey: row.created_at, broadcast: false, rows: [row] });
      continue;
    }
    const existing = broadcasts.get(row.origin_task_id);
    if (existing) {
      existing.rows.push(row);
      if (row.created_at < existing.sortKey) existing.sortKey = row.created_at;
      continue;
    }
    const entry = { key: row.origin_task_id, sortKey: row.created_at, broadcast: true, rows: [row] };
    broadcasts.set(row.origin_task_id, entry);
    entries.push(entry);
  }
  // Array.prototype.sort is stable: equal keys keep the API order.
  return entries.sort(byKey((entry) => entry.sortKey));
}

export function isCanceled(entry: Entry): boolean {
  return entry.rows.every((row) => row.status === "canceled");
}

export function clockTime(iso: string): string {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

export function ackTooltip(row: Message, agents: Agent[]): string {
  const agent = agents.find((candidate) => candidate.agent_id === row.to_agent_id);
  const who = !agent
    ? row.to_agent_id.slice(0, 8)
    : `@${agent.name}${agent.status === "deregistered" ? " (deregistered)" : ""}`;
  return `${who} — ${new Date(row.status_timestamp).toISOString()}`;
}

function sameRow(a: Message, b: Message): boolean {
  return (Object.keys(a) as (keyof Message)[]).every((key) => a[key] === b[key]);
}

/**
 * Live events carry the changed rows: replace them by task id, add the new ones. A row equal to
 * the one shown keeps its object, so its entry (and its rendered Markdown) is left alone.
 */
export function mergeMessages(current: Message[], changed: Message[]): Message[] {
  const byId = new Map(current.map((row) => [row.task_id, row]));
  for (const row of changed) {
    const shown = byId.get(row.task_id);
    if (!shown || !sameRow(shown, row)) byId.set(row.task_id, row);
  }
  return [...byId.values()];
}

/** A refetched timeline in its own order, reusing the objects of rows that did not change. */
export function reconcileMessages(current: Message[], fetched: Message[]): Message[] {
  const byId = new Map(current.map((row) => [row.task_id, row]));
  return fetched.map((row) => {
    const shown = byId.get(row.task_id);
    return shown && sameRow(shown, row) ? shown : row;
  });
}

/** Where one delivery stands (issue 8): the furthest step reached, or a failed push. */
export type DeliveryState = "stored" | "held" | "notified" | "failed" | "read" | "canceled";

export function deliveryState(row: Message): DeliveryState {
  if (row.status === "canceled") return "canceled";
  if (row.fetched_at !== null || row.status === "completed") return "read";
  if (row.notify_failed_at !== null && (row.notified_at === null || row.notify_failed_at > row.notified_at))
    return "failed";
  if (row.held_reason !== null) return "held";
  if (row.notified_at !== null) return "notified";
  return "stored";
}

export const DELIVERY_LABELS: Record<DeliveryState, string> = {
  stored: "✓ stored",
  held: "⏸ held",
  notified: "✓ notified",
  failed: "⚠ push failed",
  read: "✓✓ read",
  canceled: "canceled",
};

/** Unread and not fetched by the recipient's poll for this long: shown as overdue. */
export const OVERDUE_MS = 5 * 60_000;

export function isOverdue(row: Message, nowMs: number): boolean {
  return (
    row.status === "input_required" &&
    row.fetched_at === null &&
    nowMs - Date.parse(row.created_at) > OVERDUE_MS
  );
}

function clock(iso: string | null): string | null {
  return iso === null ? null : new Date(iso).toLocaleTimeString();
}

/** The delivery times of one row, for its tooltip. */
export function deliveryTooltip(row: Message): string {
  const steps: [string, string | null][] = [
    ["stored", clock(row.created_at)],
    ["notified", clock(row.notified_at)],
    ["read", clock(row.fetched_at)],
    ["acked", row.status === "completed" ? clock(row.status_timestamp) : null],
  ];
  const parts = steps.filter(([, at]) => at !== null).map(([label, at]) => `${label} ${at}`);
  if (row.nudge_count > 1) parts.push(`${row.nudge_count} nudges`);
  if (row.held_reason !== null) parts.push(`held since ${clock(row.held_at)}: ${row.held_reason}`);
  if (row.notify_failed_at !== null)
    parts.push(`push failed ${clock(row.notify_failed_at)}: ${row.notify_error ?? ""}`);
  return parts.join(" · ");
}

/** "↪ reply to Alice: first words…", from the replied-to row when the timeline holds it. */
export function replyLabel(replyTo: string, messages: Message[]): string {
  const parent = messages.find((row) => row.task_id === replyTo);
  if (!parent) return `↪ reply to ${replyTo.slice(0, 8)}`;
  const line = parent.body.split("\n")[0] ?? "";
  const snippet = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return `↪ reply to ${parent.from_agent_name}: ${snippet}`;
}

/** A new grouping keeps the entry objects whose rows did not change, so their DOM (and Markdown) stays. */
export function reuseEntries(previous: Entry[], next: Entry[]): Entry[] {
  const byKey = new Map(previous.map((entry) => [entry.key, entry]));
  return next.map((entry) => {
    const old = byKey.get(entry.key);
    const same =
      old !== undefined &&
      old.sortKey === entry.sortKey &&
      old.rows.length === entry.rows.length &&
      old.rows.every((row, index) => row === entry.rows[index]);
    return same ? old : entry;
  });
}

/** The entries a member's conversation holds: sent by it or delivered to it. */
export function involves(entry: Entry, agentId: string): boolean {
  return entry.rows.some((row) => row.from_agent_id === agentId || row.to_agent_id === agentId);
}

function localDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const pad = (value: number) => String(value).padStart(2, "0");

/** The day separator's text: Today, Yesterday, or "Monday, November 30, 2026" (local). */
export function dayLabel(iso: string, nowMs: number): string {
  const day = localDay(iso);
  if (day === localDay(new Date(nowMs).toISOString())) return "Today";
  if (day === localDay(new Date(nowMs - 86_400_000).toISOString())) return "Yesterday";
  const date = new Date(iso);
  return `${WEEKDAYS[date.getDay()]}, ${MONTHS[date.getMonth()]} ${date.getDate()}, ${date.getFullYear()}`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago": beside the HH:MM label. */
export function relativeTime(iso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** The exact local date and time, for a hover title: "Monday 2026-11-30 14:03:27". */
export function exactTime(iso: string): string {
  const date = new Date(iso);
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${WEEKDAYS[date.getDay()]} ${day} ${time}`;
}

/** Consecutive entries of one sender this close together share one header. */
export const GROUP_GAP_MS = 5 * 60_000;

export type EntryLayout = { dayBreak: string | null; grouped: boolean; unreadBefore: boolean };

/**
 * Where separators go: a day label before the first entry of each local day, the unread divider
 * before the first entry newer than `seenUntil` that someone else sent, and which entries
 * continue the previous one's sender group.
 */
export function layoutEntries(
  entries: Entry[],
  nowMs: number,
  seenUntil: string | null,
  selfId: string | undefined,
): Map<string, EntryLayout> {
  const layout = new Map<string, EntryLayout>();
  let unreadPlaced = seenUntil === null;
  let previous: Entry | undefined;
  for (const entry of entries) {
    const first = entry.rows[0]!;
    const newDay = previous === undefined || localDay(previous.sortKey) !== localDay(entry.sortKey);
    const unreadBefore = !unreadPlaced && entry.sortKey > seenUntil! && first.from_agent_id !== selfId;
    if (unreadBefore) unreadPlaced = true;
    const grouped =
      previous !== undefined &&
      !newDay &&
      !unreadBefore &&
      previous.rows[0]!.from_agent_id === first.from_agent_id &&
      Date.parse(entry.sortKey) - Date.parse(previous.sortKey) < GROUP_GAP_MS;
    layout.set(entry.key, {
      dayBreak: newDay ? dayLabel(entry.sortKey, nowMs) : null,
      grouped,
      unreadBefore,
    });
    previous = entry;
  }
  return layout;
}

/** The row a reply answers: a broadcast's delivery to `selfId` when there is one. */
export function replyTarget(entry: Entry, selfId: string | undefined): Message {
  return entry.rows.find((row) => row.to_agent_id === selfId) ?? entry.rows[0]!;
}
