import { BROADCAST_TARGET } from "../../src/server/broadcast.ts";
import type { Agent } from "./api.ts";

/** The composer's mention rules (webui.md §4.6): parsing on send and the @ autocomplete. */

const LEADING_MENTION = /^@([A-Za-z0-9_-]+)(?:\s|$)/;
const MENTION_CHAR = /[A-Za-z0-9_-]/;
const MAX_CANDIDATES = 6;

/** A reply answers one message's sender: it cannot be a broadcast. */
export const REPLY_TO_BROADCAST = "A reply goes to one agent: start it with @<agent>, not @all";

export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
}

export type ParsedMessage = { ok: true; toAgentId: string; body: string } | { ok: false; error: string };

/** `recipients`: the active agents that are not the Administrator. */
export function parseMessage(text: string, recipients: Agent[]): ParsedMessage {
  let rest = text.replace(/^\s+/, "");
  const mentions: string[] = [];
  for (let match = LEADING_MENTION.exec(rest); match; match = LEADING_MENTION.exec(rest)) {
    mentions.push(match[1] ?? "");
    rest = rest.slice(match[0].length).replace(/^\s+/, "");
  }
  const [first] = mentions;
  if (first === undefined) return { ok: false, error: "Start the message with @<agent> or @all" };
  const toAll = mentions.some((mention) => mention.toLowerCase() === "all");
  if (toAll && mentions.length > 1)
    return { ok: false, error: "@all cannot be combined with other mentions" };
  const body = rest.trim();
  if (toAll)
    return body === ""
      ? { ok: false, error: "Message body is empty" }
      : { ok: true, toAgentId: BROADCAST_TARGET, body };
  if (mentions.length > 1)
    return {
      ok: false,
      error: "Multi-recipient unicast not supported in first cut; use @all for broadcast",
    };
  const matches = recipients.filter((agent) => slug(agent.name) === first.toLowerCase());
  if (matches.length === 0) return { ok: false, error: `No active agent named '@${first}'` };
  if (matches.length > 1) return { ok: false, error: `Ambiguous mention '@${first}'` };
  if (body === "") return { ok: false, error: "Message body is empty" };
  return { ok: true, toAgentId: matches[0]!.agent_id, body };
}

export type ActiveMention = { start: number; query: string };

/** The `@word` the caret is in: an `@` after start-of-text or whitespace, then mention characters. */
export function findActiveMention(text: string, caret: number): ActiveMention | null {
  let index = caret - 1;
  while (index >= 0 && MENTION_CHAR.test(text[index]!)) index--;
  if (index < 0 || text[index] !== "@") return null;
  if (index > 0 && !/\s/.test(text[index - 1]!)) return null;
  return { start: index, query: text.slice(index + 1, caret) };
}

export type Candidate = { slug: string; label: string };

export function mentionCandidates(query: string, recipients: Agent[]): Candidate[] {
  const lowered = query.toLowerCase();
  const candidates: Candidate[] = "all".startsWith(lowered) ? [{ slug: "all", label: "all" }] : [];
  const agents = recipients
    .filter((agent) => slug(agent.name).startsWith(lowered))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((agent) => ({ slug: slug(agent.name), label: agent.name }));
  return [...candidates, ...agents].slice(0, MAX_CANDIDATES);
}

/** Replaces the mention token (from its `@` to its end, or the caret if further) with `@slug `. */
export function insertMention(
  text: string,
  mention: ActiveMention,
  caret: number,
  chosen: string,
): { text: string; caret: number } {
  let end = mention.start + 1;
  while (end < text.length && MENTION_CHAR.test(text[end]!)) end++;
  end = Math.max(end, caret);
  const inserted = `@${chosen} `;
  return {
    text: text.slice(0, mention.start) + inserted + text.slice(end),
    caret: mention.start + inserted.length,
  };
}
