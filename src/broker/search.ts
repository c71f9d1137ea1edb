import type { SearchHit } from "../server/model.ts";
import type { Database } from "../store/database.ts";
import { SEARCH_LIMIT } from "./search-limit.ts";
import { searchPostgres } from "./search-postgres.ts";
import { keepOnePerBroadcast, lastWordIsPrefix, queryTerms } from "./search-query.ts";
import { buildSnippet, CLOSE_MARK, OPEN_MARK } from "./snippet.ts";
import { MESSAGE_COLUMNS, MESSAGE_NAME_JOINS, type MessageRow, toMessage } from "./timeline.ts";

/**
 * Full-text search over a session's messages (migrations.sql version 6's index): the deliveries
 * whose sender is an agent of the session (data-model.md §8.3), one hit per broadcast, newest
 * first, each with a snippet around its match. The PostgreSQL store has no such index and is
 * searched by search-postgres.ts under the same rules.
 */

export { EMPTY_QUERY } from "./search-query.ts";

export type SearchOptions = { agentId?: string; limit?: number };

/**
 * The user's text as FTS5 queries that can never be FTS5 syntax: each whitespace-separated term
 * a quoted phrase (a `"` doubled), all of them required. A term of separators only (`-`, `(`) is
 * a phrase of no words, and is left out. Null: nothing left to search for (the text was
 * separators and NULs).
 *
 * Two queries, tried in turn: the last word whole, then as a prefix (search as one types). A
 * prefix makes FTS5 merge the lists of every word with that start before it can read the newest,
 * which for a word in a tenth of a million messages takes 40-70 ms, while a whole word reads only
 * its newest page (0.2 ms): the prefix runs only when the whole word does not fill the page.
 */
export function matchExpressions(query: string): string[] | null {
  const terms = queryTerms(query);
  return terms === null ? null : ftsExpressions(terms);
}

function ftsExpressions(terms: string[]): string[] {
  const whole = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(" ");
  return lastWordIsPrefix(terms) ? [whole, `${whole}*`] : [whole];
}

/** The index's word for a session or an agent (migrations.sql version 6: the id's hex). */
function idWord(prefix: "s" | "a", id: string): string {
  return `${prefix}${Buffer.from(id, "utf8").toString("hex")}`;
}

/** The user's words in the body, and the session's (and agent's) words beside them. */
function scopedMatch(match: string, sessionId: string, agentId: string | undefined): string {
  const agent = agentId === undefined ? "" : ` AND parties : ${idWord("a", agentId)}`;
  return `body : (${match}) AND session : ${idWord("s", sessionId)}${agent}`;
}

type HitRow = MessageRow & { marked: string | null };

/**
 * The index is read newest rowid first and the scan stops at a page: a common word costs a page,
 * never every match; the session's word keeps other sessions' matches inside the index, and the
 * join checks the session (and agent) rule itself. created_at is stamped inside the write
 * transaction that allocates the rowid, so rowid order is created_at order; the page is sorted
 * by created_at all the same.
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

function readHits(
  db: Database,
  match: string,
  sessionId: string,
  agentId: string | undefined,
  limit: number,
): HitRow[] {
  const scoped = scopedMatch(match, sessionId, agentId);
  const rows =
    agentId === undefined
      ? db.query(ANY_AGENT).iterate({ match: scoped, sessionId })
      : db.query(ONE_AGENT).iterate({ match: scoped, sessionId, agentId });
  return keepOnePerBroadcast(rows as IterableIterator<HitRow>, limit);
}

function searchIndex(
  db: Database,
  sessionId: string,
  matches: string[],
  agentId: string | undefined,
  limit: number,
): SearchHit[] {
  let rows: HitRow[] = [];
  for (const match of matches) {
    rows = readHits(db, match, sessionId, agentId, limit);
    if (rows.length >= limit) break;
  }
  // Snippets only for the page kept: a whole-word page the prefix query replaces is dropped unbuilt.
  return rows.map(toHit);
}

/** `limit` is taken as given (the doors check it against SEARCH_LIMIT). */
export function searchMessages(
  db: Database,
  sessionId: string,
  query: string,
  options: SearchOptions = {},
): SearchHit[] {
  const terms = queryTerms(query);
  const limit = options.limit ?? SEARCH_LIMIT.default;
  if (terms === null || limit <= 0) return [];
  const hits =
    db.dialect === "postgres"
      ? searchPostgres(db, sessionId, terms, options.agentId, limit)
      : searchIndex(db, sessionId, ftsExpressions(terms), options.agentId, limit);
  return hits.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
