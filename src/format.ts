import type { AgentSummary } from "./broker/agents.ts";
import type { Delivery, ThreadEntry } from "./broker/delivery.ts";
import { type Task, type TaskLine, taskLine, taskText } from "./broker/tasks.ts";
import type { InboxCounts, InboxEntry, NewEntries } from "./broker/unseen.ts";
import type { SearchHit } from "./server/model.ts";

/** Text renderings of cli.md §5.4 and §6, and the JSON shapes the CLI and MCP tools share. */

/** `send --json` (cli.md §6.9). */
export function sendJson(task: Task, notificationSent: boolean) {
  return { task, notification_sent: notificationSent };
}

/** `broadcast --json` (§6.10): the summary carries the count, which is never stored. */
export function broadcastJson(summary: Task, notificationsSentCount: number) {
  const task: Task = { ...summary, metadata: { ...summary.metadata, notificationsSentCount } };
  return [{ task, notifications_sent_count: notificationsSentCount }];
}

/** `get-task --json`: the normative `task` key, then the delivery times and the reply thread. */
export function taskDetailJson(task: Task, delivery: Delivery | null, thread: ThreadEntry[]) {
  return { task, delivery, thread };
}

export function lineBlock(line: TaskLine): string {
  let block = `  id:    ${line.id}\n  state: ${line.state}\n  from:  ${line.fromAgentId}\n`;
  if (line.toAgentId !== undefined) block += `  to:    ${line.toAgentId}\n`;
  block += `  type:  ${line.type}`;
  if (line.text !== undefined) block += `\n  text:  ${line.text}`;
  return block;
}

export function taskBlock(task: Task): string {
  return lineBlock(taskLine(task));
}

export function lineList(lines: TaskLine[]): string {
  if (lines.length === 0) return "No messages found.";
  return lines.map((line, index) => `[${index + 1}]\n${lineBlock(line)}`).join("\n");
}

export function taskList(tasks: Task[]): string {
  return lineList(tasks.map(taskLine));
}

/** A name on one line: a newline in it could pass for an entry of its own. */
function oneLine(text: string): string {
  return text.replace(/\p{Cc}/gu, " ");
}

/**
 * One entry of `poll --new` / `--unread`, made for an agent to act on: the task id (for `ack`,
 * `--reply-to`), the sender's name beside its id (the `--to` of a reply), the text verbatim on
 * the lines below. A retraction is its header alone: the agent saw the text when it arrived.
 *
 *   [1] task <task id> from Director (<agent id>):
 *   <text>
 *   [2] task <task id> from alice (<agent id>), broadcast, no text
 *   [3] retracted task <task id> from alice (<agent id>)
 */
function entryBlock(entry: InboxEntry, index: number): string {
  const { task } = entry;
  const sender = task.metadata.fromAgentId;
  const from = entry.fromName === null ? sender : `${oneLine(entry.fromName)} (${sender})`;
  const retracted = task.status.state === "canceled";
  const broadcast = task.metadata.originTaskId === undefined ? "" : ", broadcast";
  const head = `[${index}] ${retracted ? "retracted " : ""}task ${task.id} from ${from}${broadcast}`;
  if (retracted) return head;
  const text = taskText(task);
  return text === undefined ? `${head}, no text` : `${head}:\n${text}`;
}

function entryList(entries: InboxEntry[], empty: string): string {
  if (entries.length === 0) return empty;
  return entries.map((entry, index) => entryBlock(entry, index + 1)).join("\n");
}

/** `poll --new`: the entries, then a count of unread messages earlier polls showed, if any. */
export function newEntriesText({ entries, unreadShownBefore }: NewEntries): string {
  const list = entryList(entries, "No new messages.");
  if (unreadShownBefore === 0) return list;
  return `${list}\nStill unread from before: ${unreadShownBefore} (poll --unread lists them).`;
}

export function unreadEntriesText(entries: InboxEntry[]): string {
  return entryList(entries, "No unread messages.");
}

export function countsLine(counts: InboxCounts): string {
  return `${counts.unread} unread, ${counts.new} new`;
}

export function agentBlock(agent: AgentSummary): string {
  return [
    `  agent_id:    ${agent.agent_id}`,
    `  name:        ${agent.name}`,
    `  description: ${agent.description}`,
    `  status:      ${agent.status}`,
  ].join("\n");
}

export function agentList(agents: AgentSummary[]): string {
  if (agents.length === 0) return "No agents found.";
  return agents.map((agent, index) => `[${index + 1}]\n${agentBlock(agent)}`).join("\n");
}

/**
 * Left-justified padding that never truncates (Python's str.ljust). Width counts code points,
 * as Python does: String#padEnd counts UTF-16 units, one space short per emoji.
 */
export function pad(text: string, width: number): string {
  let length = 0;
  for (const _ of text) length += 1;
  return length >= width ? text : text + " ".repeat(width - length);
}

function party(name: string, agentId: string): string {
  return name === "" ? agentId : `${oneLine(name)} (${agentId})`;
}

/** The snippet with each match in brackets. */
function markedSnippet({ snippet, matches }: SearchHit): string {
  let text = "";
  let at = 0;
  for (const [start, end] of matches) {
    text += `${snippet.slice(at, start)}[${snippet.slice(start, end)}]`;
    at = end;
  }
  return text + snippet.slice(at);
}

/**
 * `search`: one entry per hit, newest first, the snippet on the line below its header:
 *
 *   [1] 2026-12-01T12:00:00.000000+00:00 alice (<agent id>) → bob (<agent id>), task <task id>
 *   …the [flaky] test in src/broker/tasks.ts…
 *   [2] <created_at> alice (<agent id>) → broadcast, task <task id>
 */
export function searchHitsText(hits: SearchHit[]): string {
  if (hits.length === 0) return "No messages match.";
  return hits
    .map((hit, index) => {
      const to = hit.origin_task_id === null ? party(hit.to_agent_name, hit.to_agent_id) : "broadcast";
      const head = `[${index + 1}] ${hit.created_at} ${party(hit.from_agent_name, hit.from_agent_id)} → ${to}, task ${hit.task_id}`;
      return `${head}\n${markedSnippet(hit)}`;
    })
    .join("\n");
}
