import type { Agent, Message } from "./api.ts";

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
  return entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
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

/** Live events carry the changed rows: replace them by task id, add the new ones. */
export function mergeMessages(current: Message[], changed: Message[]): Message[] {
  const byId = new Map(current.map((row) => [row.task_id, row]));
  for (const row of changed) byId.set(row.task_id, row);
  return [...byId.values()];
}
