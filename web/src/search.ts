/** A search hit's snippet cut into runs, the matched ones marked (offsets are [start, end) into it). */
export type Segment = { text: string; marked: boolean };

export function markSegments(snippet: string, matches: [number, number][]): Segment[] {
  const ranges = matches
    .map(([start, end]) => [Math.max(0, start), Math.min(snippet.length, end)] as const)
    .filter(([start, end]) => start < end)
    .sort((a, b) => a[0] - b[0]);
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) segments.push({ text: snippet.slice(at, from), marked: false });
    const last = segments.at(-1);
    if (last?.marked && from === at) last.text += snippet.slice(from, end);
    else segments.push({ text: snippet.slice(from, end), marked: true });
    at = end;
  }
  if (at < snippet.length) segments.push({ text: snippet.slice(at), marked: false });
  return segments;
}
