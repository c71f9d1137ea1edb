export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Full run unless BENCH_QUICK is set: every figure picks its sizes from this. */
export const QUICK = Boolean(process.env.BENCH_QUICK);

export function sized(full: number, quick: number): number {
  return QUICK ? quick : full;
}
