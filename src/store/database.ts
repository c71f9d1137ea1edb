/**
 * What the broker asks of a database: the part of bun:sqlite's Database it uses. bun:sqlite's
 * own Database is one; src/store/postgres/client.ts is the other, over PostgreSQL. Statements
 * are written once, in SQLite's dialect; the PostgreSQL store translates them
 * (src/store/postgres/dialect.ts).
 */

/** Positional values, or one object of named values (`$name` in the SQL). */
// biome-ignore lint/suspicious/noExplicitAny: bun:sqlite's bindings are as loose
export type Binding = any;

export type Changes = { changes: number; lastInsertRowid: number | bigint };

export interface Statement<Row = unknown> {
  get(...params: Binding[]): Row | null;
  all(...params: Binding[]): Row[];
  run(...params: Binding[]): Changes;
  iterate(...params: Binding[]): IterableIterator<Row>;
}

/** bun:sqlite's transaction function: call it (deferred) or one of its modes. */
export interface Transaction<T> {
  (): T;
  deferred(): T;
  immediate(): T;
  exclusive(): T;
}

export interface Database {
  // biome-ignore lint/suspicious/noExplicitAny: rows are cast where they are read, as with bun:sqlite
  query<Row = any>(sql: string): Statement<Row>;
  run(sql: string, ...params: Binding[]): Changes;
  transaction<T>(fn: () => T): Transaction<T>;
  close(): void;
  /** The SQLite file; for PostgreSQL, the server and database it names (never the password). */
  readonly filename: string;
  /**
   * PostgreSQL only: a count that grows with every change any connection commits (LISTEN/NOTIFY),
   * and a wait for it to pass `seen`. SQLite has PRAGMA data_version instead (src/broker/watch.ts).
   */
  dataVersion?(): number;
  nextChange?(seen: number, ms: number): Promise<void>;
  /** "postgres" on the PostgreSQL store; bun:sqlite's Database has no such field. */
  readonly dialect?: "postgres";
}
