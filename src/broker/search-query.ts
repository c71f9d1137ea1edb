import { UsageError } from "../errors.ts";
import type { MessageRow } from "./timeline.ts";

/**
 * What a search asks for, read the same way by both stores: the user's whitespace-separated
 * terms, each a phrase of its words, all required, the last word also tried as a prefix.
 */

export const EMPTY_QUERY = "search query is empty: give at least one word to search for";

/** The words unicode61 makes of a term, near enough to tell whether it has one and how long the last is. */
export const WORDS = /[\p{L}\p{N}\p{Co}]+/gu;

/**
 * The terms that hold a word, as typed. FTS5 reads a NUL as the end of the query text: it
 * separates terms like a space. A term without a word is dropped: alone beside the session's word
 * it would match everything. Null: nothing left to search for (the text was separators and NULs).
 */
export function queryTerms(query: string): string[] | null {
  if (query.trim() === "") throw new UsageError(EMPTY_QUERY);
  const terms = query.split(/[\s\0]+/u).filter((term) => term.match(WORDS) !== null);
  return terms.length === 0 ? null : terms;
}

/**
 * Whether the last word is also tried as a prefix: not when it is one character (`x`, the `0` of
 * `v1.0`): too much of the vocabulary starts with it, and no prefix index holds it.
 */
export function lastWordIsPrefix(terms: string[]): boolean {
  return [...(terms.at(-1)?.match(WORDS)?.at(-1) ?? "")].length > 1;
}

/**
 * Rows read newest first, kept up to `limit`: a broadcast's deliveries share its text, so the
 * first (newest) that matches stands for all. `seen` and `hits` carry over from earlier pages.
 */
export function keepOnePerBroadcast<Row extends Pick<MessageRow, "task_id" | "origin_task_id">>(
  rows: Iterable<Row>,
  limit: number,
  seen: Set<string> = new Set(),
  hits: Row[] = [],
): Row[] {
  if (hits.length >= limit) return hits;
  for (const row of rows) {
    const key = row.origin_task_id ?? row.task_id;
    if (seen.has(key)) continue;
    seen.add(key);
    hits.push(row);
    if (hits.length >= limit) break;
  }
  return hits;
}
