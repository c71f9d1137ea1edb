/**
 * A search hit's snippet: about ten words of the body around the first match, as one line of
 * plain text, and the matched ranges as [start, end) offsets into it (JavaScript string indices).
 * The matches come from FTS5's highlight(), which wraps each one in two private-use characters.
 */

export const OPEN_MARK = "\uE000";
export const CLOSE_MARK = "\uE001";

const WORDS_BEFORE = 4;
const CONTEXT_WORDS = 10;
/** A body without spaces (a blob, a long URL) would otherwise be one 10 KB "word". */
const MAX_SNIPPET_CHARS = 240;
const ELLIPSIS = "…";

export type Snippet = { snippet: string; matches: [number, number][] };

type Range = [number, number];

/** The marked text's ranges in the unmarked body; none when the body holds a marker itself. */
function matchedRanges(marked: string, body: string): Range[] {
  if (body.includes(OPEN_MARK) || body.includes(CLOSE_MARK)) return [];
  const ranges: Range[] = [];
  let offset = 0;
  let start = -1;
  for (const char of marked) {
    if (char === OPEN_MARK) start = offset;
    else if (char === CLOSE_MARK && start >= 0) {
      ranges.push([start, offset]);
      start = -1;
    } else offset += char.length;
  }
  return offset === body.length ? ranges : [];
}

/** The word holding `offset`, or the first word after it. */
function wordAt(words: Range[], offset: number): number {
  const index = words.findIndex(([, end]) => end > offset);
  return index < 0 ? words.length - 1 : index;
}

/** Cuts a long line to MAX_SNIPPET_CHARS around its first match, never inside a surrogate pair. */
function shorten(text: string, matches: Range[]): Snippet {
  if (text.length <= MAX_SNIPPET_CHARS) return { snippet: text, matches };
  const first = matches[0]?.[0] ?? 0;
  let from = Math.max(0, Math.min(first - MAX_SNIPPET_CHARS / 4, text.length - MAX_SNIPPET_CHARS));
  let to = from + MAX_SNIPPET_CHARS;
  if (/[\uDC00-\uDFFF]/.test(text[from] ?? "")) from++;
  if (/[\uDC00-\uDFFF]/.test(text[to] ?? "")) to--;
  const head = from > 0 ? ELLIPSIS : "";
  const shift = head.length - from;
  return {
    snippet: `${head}${text.slice(from, to)}${to < text.length ? ELLIPSIS : ""}`,
    matches: matches
      .filter(([start, end]) => start >= from && end <= to)
      .map(([start, end]): Range => [start + shift, end + shift]),
  };
}

/** `marked` is highlight()'s output for `body`. */
export function buildSnippet(body: string, marked: string): Snippet {
  const ranges = matchedRanges(marked, body);
  const words: Range[] = [...body.matchAll(/\S+/g)].map((m): Range => [m.index, m.index + m[0].length]);
  if (words.length === 0) return { snippet: "", matches: [] };
  const firstRange = ranges[0];
  const firstWord = firstRange ? wordAt(words, firstRange[0]) : 0;
  const lastMatchWord = firstRange ? wordAt(words, firstRange[1] - 1) : 0;
  // Four words before the match, more when the body ends sooner; ten in all where there are.
  const after = words.length - 1 - lastMatchWord;
  const before = Math.min(firstWord, Math.max(WORDS_BEFORE, CONTEXT_WORDS - after));
  const from = firstWord - before;
  const to = lastMatchWord + Math.min(after, CONTEXT_WORDS - before);
  // Each word's offset in the one-line text: words joined by single spaces.
  const at: number[] = [];
  let text = from > 0 ? ELLIPSIS : "";
  for (let index = from; index <= to; index++) {
    if (index > from) text += " ";
    at.push(text.length);
    const [start, end] = words[index]!;
    text += body.slice(start, end);
  }
  if (to < words.length - 1) text += ELLIPSIS;
  const windowStart = words[from]![0];
  const windowEnd = words[to]![1];
  const place = (offset: number): number => {
    const index = wordAt(words, offset);
    return at[index - from]! + (offset - words[index]![0]);
  };
  const matches = ranges
    .filter(([start]) => start >= windowStart && start < windowEnd)
    .map(([start, end]): Range => [place(start), place(Math.min(end, windowEnd) - 1) + 1]);
  return shorten(text, matches);
}
