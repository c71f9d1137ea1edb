/**
 * No request of this API nests more than a couple of levels. A deeper body is refused before
 * validation: the validator's error report walks the value recursively and overflows the stack
 * on a few thousand nested arrays.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` holds arrays or objects more than `limit` levels deep (walked without recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
