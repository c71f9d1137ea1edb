/**
 * The broker's statements are written in SQLite's dialect. What PostgreSQL reads differently is
 * either defined in its schema under SQLite's names (json_valid, json_type, json_extract, the
 * two-argument max: schema.sql) or rewritten here: the parameters. SQLite takes `?`, `?N` and
 * `$name` (bound from an object's `name`); PostgreSQL takes only `$N`. And a LIMIT of -1, no
 * limit to SQLite, is NULL to PostgreSQL.
 */
import type { Binding } from "../database.ts";

/** `limit`: the value of a LIMIT, where SQLite reads a negative number as no limit. */
type Slot = ({ kind: "index"; index: number } | { kind: "name"; name: string }) & { limit: boolean };
export type Translated = { text: string; slots: Slot[] };

const cache = new Map<string, Translated>();

/** Rewrites the parameters of `sql`, skipping string literals, quoted names and comments. */
export function translate(sql: string): Translated {
  const cached = cache.get(sql);
  if (cached) return cached;
  let text = "";
  const slots: Slot[] = [];
  const byName = new Map<string, number>();
  let nextIndex = 1;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    if (char === "'" || char === '"') {
      const end = closingQuote(sql, i);
      text += sql.slice(i, end);
      i = end;
    } else if (char === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (char === "?") {
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0] ?? "";
      const index = digits ? Number(digits) : nextIndex;
      nextIndex = Math.max(nextIndex, index + 1);
      slots.push({ kind: "index", index, limit: /\bLIMIT\s*$/i.test(text) });
      text += `$${slots.length}`;
      i += 1 + digits.length;
    } else if (
      (char === "$" || char === ":" || char === "@") &&
      /[A-Za-z_]/.test(sql[i + 1] ?? "") &&
      sql[i - 1] !== ":"
    ) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      let position = byName.get(name);
      if (position === undefined) {
        slots.push({ kind: "name", name, limit: /\bLIMIT\s*$/i.test(text) });
        position = slots.length;
        byName.set(name, position);
      }
      text += `$${position}`;
      i += 1 + name.length;
    } else {
      text += char;
      i += 1;
    }
  }
  const translated = { text, slots };
  cache.set(sql, translated);
  return translated;
}

function closingQuote(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** The values for the translated statement, from bun:sqlite-style bindings. */
export function bindValues(translated: Translated, given: Binding[]): unknown[] {
  // bun:sqlite takes the values spread, or as one array.
  const params = given.length === 1 && Array.isArray(given[0]) ? (given[0] as Binding[]) : given;
  const named =
    params.length === 1 && isNamedBindings(params[0]) ? (params[0] as Record<string, unknown>) : null;
  return translated.slots.map((slot) => {
    const value = slot.kind === "name" ? named?.[slot.name] : params[slot.index - 1];
    // SQLite's LIMIT -1 is PostgreSQL's LIMIT NULL: no limit.
    if (slot.limit && typeof value === "number" && value < 0) return null;
    return postgresValue(value);
  });
}

function isNamedBindings(value: unknown): boolean {
  return typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value);
}

/** SQLite stores booleans as 1 and 0 and has no undefined. */
function postgresValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}
