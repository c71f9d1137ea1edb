import type { Message, SearchHit } from "../server/model.ts";
import type { Database } from "../store/database.ts";
import { keepOnePerBroadcast, lastWordIsPrefix, WORDS } from "./search-query.ts";
import { buildSnippet, CLOSE_MARK, OPEN_MARK } from "./snippet.ts";
import { MESSAGE_COLUMNS, MESSAGE_NAME_JOINS, type MessageRow, toMessage } from "./timeline.ts";

/**
 * Search on the PostgreSQL store, which has no FTS5 index: the bodies of the view message_bodies
 * (schema.sql version 6) are matched by one regular expression, read newest rowid first a page
 * at a time, so a common word costs a page, never every row. The rule is unicode61's as search.ts
 * asks it of FTS5: each term a phrase of its words (`send_message`: send, then message, with
 * only separators between), every term required, case and Latin accents folded, the last word
 * also tried as a prefix when the whole-word page is not full. The same expression, written for
 * JavaScript, marks the matches for the snippet (FTS5's highlight() does that for SQLite).
 */

/** A word character and a separator, in PostgreSQL's regular expressions and in JavaScript's. */
const SQL_CLASSES = { word: "[[:alnum:]]", separator: "[^[:alnum:]]" };
const JS_CLASSES = { word: "[\\p{L}\\p{Nd}]", separator: "[^\\p{L}\\p{Nd}]" };
type Classes = typeof SQL_CLASSES;

/** A letter without its accents, in lower case: what unicode61 (remove_diacritics 2) indexes. */
const fold = (letter: string): string => letter.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

let variantsByLetter: Map<string, string> | null = null;

/**
 * Every accented Latin letter (Latin-1 to Latin Extended-B, and Latin Extended Additional) under
 * the plain letter it folds to: `e` -> `eéèêë…`. A regular expression then folds accents with a
 * class, and no PostgreSQL extension (unaccent) is needed.
 */
function latinVariants(): Map<string, string> {
  if (variantsByLetter) return variantsByLetter;
  variantsByLetter = new Map();
  for (const [from, to] of [
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ] as const)
    for (let code = from; code <= to; code++) {
      const letter = String.fromCodePoint(code);
      const base = fold(letter);
      if (base.length !== 1 || base === letter.toLowerCase() || !/[a-z]/.test(base)) continue;
      variantsByLetter.set(base, (variantsByLetter.get(base) ?? base) + letter);
    }
  return variantsByLetter;
}

/** A word's letters, each accented letter's a class of its variants, the first `maxChars` only. */
function wordPattern(word: string, maxChars: number): string {
  const variants = latinVariants();
  return [...word]
    .slice(0, maxChars)
    .map((char) => {
      const folded = variants.get(fold(char));
      return folded === undefined ? char : `[${folded}]`;
    })
    .join("");
}

/**
 * One term as a pattern: its words (letters and digits only, never syntax) with separators
 * between, a word boundary before, and after it either a boundary or, for a prefix, the rest of
 * the word (so the mark covers the whole word, as highlight() does). With `maxWordChars`, a
 * longer word is cut there and ends the pattern: it then matches more, never less.
 */
function termPattern(term: string, prefix: boolean, classes: Classes, maxWordChars = Infinity): string {
  let source = `(?<!${classes.word})`;
  const words = term.match(WORDS) ?? [];
  for (const [index, word] of words.entries()) {
    if (index > 0) source += `${classes.separator}+`;
    source += wordPattern(word, maxWordChars);
    if ([...word].length > maxWordChars) return source;
  }
  return source + (prefix ? `${classes.word}*` : `(?!${classes.word})`);
}

function termPatterns(terms: string[], prefix: boolean, classes: Classes, maxWordChars?: number): string[] {
  const last = terms.length - 1;
  return [
    ...new Set(
      terms.map((term, index) => termPattern(term, prefix && index === last, classes, maxWordChars)),
    ),
  ];
}

/**
 * PostgreSQL compiles a long expression slowly (a 10,000-letter word: a second), so the one it
 * gets is cut to the first terms and the first letters of each word: it narrows the rows, and
 * the same rule in JavaScript, uncut, decides which of them are hits.
 */
const SQL_TERMS = 16;
const SQL_WORD_CHARS = 64;

/** Every term somewhere in the body: one lookahead each, one expression for PostgreSQL to compile. */
function sqlPattern(terms: string[], prefix: boolean): string {
  const patterns = termPatterns(terms, prefix, SQL_CLASSES, SQL_WORD_CHARS).slice(0, SQL_TERMS);
  return `^${patterns.map((pattern) => `(?=.*${pattern})`).join("")}`;
}

/**
 * PostgreSQL's tasks are `COLLATE "C"`, under which a regular expression knows only ASCII
 * letters; ICU's root collation knows every script's letters and case. Without ICU the database's
 * own collation is the next best. Looked up once per connection.
 */
const ICU_COLLATION = "SELECT 1 AS found FROM pg_collation WHERE collname = 'und-x-icu'";
const collations = new WeakMap<Database, string>();

function matchCollation(db: Database): string {
  let collation = collations.get(db);
  if (collation === undefined) {
    collation = db.query(ICU_COLLATION).get() ? '"und-x-icu"' : '"default"';
    collations.set(db, collation);
  }
  return collation;
}

/**
 * One window of rowids, newest first. The planner cannot tell how many bodies a regular
 * expression matches, and for a guess of few it scans and sorts the whole table; a window bounds
 * that scan however it plans, and the windows grow from a page's worth (a common word: one small
 * window) to WINDOW_ROWS at most per statement (a rare word: the history in a few statements).
 * The bounds are on the view's rowid too: PostgreSQL carries equalities across a join, not ranges.
 */
const windowSelect = (collation: string, agent: string) => `SELECT ${MESSAGE_COLUMNS}, t.rowid AS search_rowid
  FROM message_bodies AS f JOIN tasks AS t ON t.rowid = f.task_rowid
  ${MESSAGE_NAME_JOINS}
  WHERE f.task_rowid < $before AND f.task_rowid >= $from AND t.rowid < $before AND t.rowid >= $from
    AND t.from_agent_id IN (SELECT agent_id FROM agents WHERE session_id = $sessionId)
    ${agent}
    AND f.body COLLATE ${collation} ~* $pattern
  ORDER BY t.rowid DESC LIMIT $page`;
const ONE_AGENT = "AND $agentId IN (t.from_agent_id, t.to_agent_id)";
const ROWID_BOUNDS = "SELECT MIN(rowid) AS oldest, MAX(rowid) AS newest FROM tasks";
const FIRST_WINDOW_PAGES = 4;
const WINDOW_ROWS = 16_384;

type PageRow = MessageRow & { search_rowid: number };

/** How a pass matches: the expression PostgreSQL narrows by, each term's in JavaScript, and all of them for marks. */
type Matcher = { sql: string; terms: RegExp[]; marks: RegExp };

function matcher(terms: string[], prefix: boolean): Matcher {
  const patterns = termPatterns(terms, prefix, JS_CLASSES);
  return {
    sql: sqlPattern(terms, prefix),
    terms: patterns.map((pattern) => new RegExp(pattern, "iu")),
    marks: new RegExp(patterns.join("|"), "giu"),
  };
}

/** One pass's hits, newest first, up to the limit. */
type Pass = { match: Matcher; seen: Set<string>; hits: Message[] };

const pass = (match: Matcher): Pass => ({ match, seen: new Set(), hits: [] });

/**
 * The newest `limit` hits, window by window down the rowids. The whole-word and the prefix pass
 * (`passes[1]`, a superset) are read in one scan under the wider expression: the whole words win
 * once they fill the page; a scan that ends short of that has the prefix page too, where
 * two passes would read every row twice for a word that is not there.
 */
function readHits(
  db: Database,
  passes: Pass[],
  sessionId: string,
  agentId: string | undefined,
  limit: number,
): Pass {
  const whole = passes[0]!;
  const widest = passes.at(-1)!;
  const bounds = db.query(ROWID_BOUNDS).get() as { oldest: number | null; newest: number | null };
  const statement = db.query(windowSelect(matchCollation(db), agentId === undefined ? "" : ONE_AGENT));
  if (bounds.oldest === null || bounds.newest === null) return whole;
  let size = Math.min(WINDOW_ROWS, limit * FIRST_WINDOW_PAGES);
  let before = bounds.newest + 1;
  let from = before - size;
  while (before > bounds.oldest) {
    const page = statement.all({
      before,
      from,
      sessionId,
      // Once the prefix page is full, only the whole words are still looked for.
      pattern: (widest.hits.length < limit ? widest : whole).match.sql,
      page: limit,
      agentId,
    }) as PageRow[];
    const messages = page.map(({ search_rowid: _, ...row }) => toMessage(row));
    for (const { match, seen, hits } of passes) {
      const found = messages.filter((message) => match.terms.every((term) => term.test(message.body)));
      keepOnePerBroadcast(found, limit, seen, hits);
    }
    if (whole.hits.length >= limit) return whole;
    // A full page held rows the JavaScript rule or a broadcast's once left out: the window goes
    // on below it. A short page is the window's end.
    if (page.length === limit) before = page.at(-1)!.search_rowid;
    else {
      before = from;
      size = Math.min(WINDOW_ROWS, size * 2);
      from = before - size;
    }
  }
  return widest;
}

export function searchPostgres(
  db: Database,
  sessionId: string,
  terms: string[],
  agentId: string | undefined,
  limit: number,
): SearchHit[] {
  const passes = [pass(matcher(terms, false))];
  if (lastWordIsPrefix(terms)) passes.push(pass(matcher(terms, true)));
  const { match, hits } = readHits(db, passes, sessionId, agentId, limit);
  return hits.map((message) => {
    const marked = message.body.replace(match.marks, (found) => `${OPEN_MARK}${found}${CLOSE_MARK}`);
    return { ...message, ...buildSnippet(message.body, marked) };
  });
}
