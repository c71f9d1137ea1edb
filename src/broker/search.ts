import type { Database } from "bun:sqlite";
import { UsageError } from "../errors.ts";
import type { SearchHit } from "../server/model.ts";
import { buildSnippet, CLOSE_MARK, OPEN_MARK } from "./snippet.ts";
import { MESSAGE_COLUMNS, MESSAGE_NAME_JOINS, type MessageRow, toMessage } from "./timeline.ts";

/**
 * Full-text search over a session's messages (migrations.sql version 6's index): the deliveries
 * whose sender is an agent of the session (data-model.md §8.3), one hit per broadcast, newest
 * first, each with a snippet around its match.
 */

export const SEARCH_LIMIT = { default: 50, max: 200 };

export const EMPTY_QUERY = "search query is empty: give at least one word to search for";

export type SearchOptions = { agentId?: string; limit?: number };

/**
 * The user's text as an FTS5 query that can never be FTS5 syntax: each whitespace-separated term
 * a quoted phrase (a `"` doubled), all of them required, the last a prefix as one types. A term of
 * separators only (`-`, `(`) is a phrase of no words, which FTS5 leaves out of the AND. A
 * one-character last term stays whole: a prefix that short would gather most of the vocabulary.
 * Null: nothing left to search for (the text was NULs).
 */
export function matchExpression(query: string): string | null {
  if (query.trim() === "") throw new UsageError(EMPTY_QUERY);
  // FTS5 reads a NUL as the end of the query text: it separates terms like a space.
  const terms = query.split(/[\s\0]+/u).filter((term) => term !== "");
  if (terms.length === 0) return null;
  return terms
    .map((term, index) => {
      const phrase = `"${term.replaceAll('"', '""')}"`;
      return index === terms.length - 1 && [...term].length > 1 ? `${phrase}*` : phrase;
    })
    .join(" ");
}

type HitRow = MessageRow & { marked: string | null };

/**
 * The index is read newest rowid first and the scan stops at a page: a common word costs a page,
 * never every match. created_at is stamped inside the write transaction that allocates the rowid,
 * so rowid order is created_at order; the page is sorted by created_at all the same.
 */
const HIT_SELECT = `SELECT ${MESSAGE_COLUMNS},
    highlight(message_search, 0, '${OPEN_MARK}', '${CLOSE_MARK}') AS marked
  FROM message_search AS f CROSS JOIN tasks AS t ON t.rowid = f.rowid
  ${MESSAGE_NAME_JOINS}
  WHERE message_search MATCH $match
    AND t.from_agent_id IN (SELECT agent_id FROM agents WHERE session_id = $sessionId)
    AGENT
  ORDER BY f.rowid DESC`;

const ANY_AGENT = HIT_SELECT.replace("AGENT", "");
const ONE_AGENT = HIT_SELECT.replace("AGENT", "AND $agentId IN (t.from_agent_id, t.to_agent_id)");

function toHit(row: HitRow): SearchHit {
  const { marked, ...messageRow } = row;
  const message = toMessage(messageRow);
  return { ...message, ...buildSnippet(message.body, marked ?? "") };
}

/** `limit` is taken as given (the doors check it against SEARCH_LIMIT). */
export function searchMessages(
  db: Database,
  sessionId: string,
  query: string,
  options: SearchOptions = {},
): SearchHit[] {
  const match = matchExpression(query);
  const limit = options.limit ?? SEARCH_LIMIT.default;
  if (match === null || limit <= 0) return [];
  const rows =
    options.agentId === undefined
      ? db.query(ANY_AGENT).iterate({ match, sessionId })
      : db.query(ONE_AGENT).iterate({ match, sessionId, agentId: options.agentId });
  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  for (const row of rows as IterableIterator<HitRow>) {
    // A broadcast's deliveries share its text: the first (newest) that matches stands for all.
    const key = row.origin_task_id ?? row.task_id;
    if (seen.has(key)) continue;
    seen.add(key);
    hits.push(toHit(row));
    if (hits.length >= limit) break;
  }
  return hits.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
