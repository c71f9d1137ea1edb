import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One line of the bench table: a measured value, its floor when it has one, and the target. */
export type Row = {
  figure: string;
  measure: string;
  value: number;
  unit: string;
  /** The same work done by the floor program in the same run, when the target is a ratio. */
  floor?: number;
  target: string;
  /** null: reported only, no target to hold. */
  holds: boolean | null;
  note?: string;
};

export function ratio(row: Row): number | undefined {
  return row.floor === undefined ? undefined : row.value / row.floor;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  if (Math.abs(value) >= 100) return value.toFixed(1);
  return value.toFixed(2);
}

function verdict(holds: boolean | null): string {
  if (holds === null) return "report";
  return holds ? "ok" : "MISS";
}

export function renderTable(rows: Row[]): string {
  const header = ["figure", "measure", "value", "floor", "ratio", "target", "holds"];
  const body = rows.map((row) => {
    const r = ratio(row);
    return [
      row.figure,
      row.measure,
      `${formatNumber(row.value)} ${row.unit}`,
      row.floor === undefined ? "" : `${formatNumber(row.floor)} ${row.unit}`,
      r === undefined ? "" : `${r.toFixed(2)}×`,
      row.target,
      verdict(row.holds),
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

/** bench/results/<timestamp>.json: the rows with the run's context, for history. */
export function writeResults(rows: Row[], meta: Record<string, unknown>): string {
  const dir = join(import.meta.dir, "../results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replaceAll(":", "-")
    .replace(/\.\d+Z$/, "Z");
  const path = join(dir, `${stamp}.json`);
  const rowsWithRatio = rows.map((row) => ({ ...row, ratio: ratio(row) }));
  writeFileSync(path, `${JSON.stringify({ ...meta, rows: rowsWithRatio }, null, 2)}\n`);
  return path;
}
