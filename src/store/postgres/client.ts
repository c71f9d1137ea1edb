/**
 * A Database (src/store/database.ts) over PostgreSQL, as synchronous as bun:sqlite's: each call
 * posts its statement to the worker that holds the connection (worker.ts) and sleeps until the
 * reply is there. The broker's rules stay written once, in one synchronous form, and the SQLite
 * path pays nothing for the second store.
 */
import { POSTGRES_WORKER } from "../../embedded.ts";
import { CafleetError } from "../../errors.ts";
import type { Binding, Changes, Database, Statement, Transaction } from "../database.ts";
import { bindValues, translate } from "./dialect.ts";
import { describePostgresError, PostgresStoreError } from "./errors.ts";
import {
  CHANGES,
  LENGTH,
  REPLY,
  REPLY_BYTES,
  type Reply,
  type Request,
  SIGNAL_BYTES,
  TOO_BIG,
  WAITING,
} from "./protocol.ts";

/** How long one statement may take before the process gives up on the server. */
const REPLY_TIMEOUT_MS = 60_000;

const WRITE = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

const decoder = new TextDecoder();

/** A statement of the store's own: no parameters. */
function statement(text: string): Request {
  return { op: "query", text, params: [] };
}

export class PostgresDatabase implements Database {
  readonly filename: string;
  readonly dialect = "postgres";
  private readonly worker: Worker;
  private readonly flags: Int32Array;
  private replies: SharedArrayBuffer;
  private depth = 0;
  private closed = false;
  private listening = false;

  constructor(
    readonly url: string,
    /** The server and database, as errors and `db init` name them (never the password). */
    readonly where: string,
  ) {
    this.filename = where;
    const signal = new SharedArrayBuffer(SIGNAL_BYTES);
    this.flags = new Int32Array(signal);
    this.replies = new SharedArrayBuffer(REPLY_BYTES);
    this.worker = new Worker(POSTGRES_WORKER);
    this.worker.postMessage({ op: "start", url, signal, replies: this.replies } satisfies Request);
    // A command ends when its work is done, not when the connection closes (Bun's Worker#unref).
    (this.worker as Worker & { unref(): void }).unref();
  }

  /** Posts `request` and sleeps until its reply is in the shared buffer. */
  private await(request: Request): number {
    Atomics.store(this.flags, REPLY, WAITING);
    this.worker.postMessage(request);
    if (Atomics.wait(this.flags, REPLY, WAITING, REPLY_TIMEOUT_MS) === "timed-out")
      throw new CafleetError(
        `${this.where} did not answer within ${REPLY_TIMEOUT_MS / 1000}s. Check the server and retry.`,
      );
    return Atomics.load(this.flags, REPLY);
  }

  private call(request: Request): { rows: Record<string, unknown>[]; changes: number } {
    if (this.closed) throw new CafleetError("the database connection is closed");
    let state = this.await(request);
    if (state === TOO_BIG) {
      // A reply larger than the buffer: a buffer twice its size, and the worker writes it there.
      this.replies = new SharedArrayBuffer(Atomics.load(this.flags, LENGTH) * 2);
      state = this.await({ op: "buffer", replies: this.replies });
    }
    const bytes = new Uint8Array(this.replies, 0, Atomics.load(this.flags, LENGTH)).slice();
    const reply = JSON.parse(decoder.decode(bytes)) as Reply;
    if (reply.error) throw describePostgresError(new PostgresStoreError(reply.error), this.where);
    return reply;
  }

  private execute(sql: string, params: Binding[]): { rows: Record<string, unknown>[]; changes: number } {
    const translated = translate(sql);
    const values = bindValues(translated, params);
    const op = this.depth === 0 && WRITE.test(translated.text) ? "write" : "query";
    return this.call({ op, text: translated.text, params: values });
  }

  query<Row = unknown>(sql: string): Statement<Row> {
    const run = (params: Binding[]) => this.execute(sql, params);
    return {
      get: (...params) => (run(params).rows[0] as Row | undefined) ?? null,
      all: (...params) => run(params).rows as Row[],
      run: (...params): Changes => ({ changes: run(params).changes, lastInsertRowid: 0 }),
      iterate: (...params) => (run(params).rows as Row[])[Symbol.iterator](),
    };
  }

  run(sql: string, ...params: Binding[]): Changes {
    return { changes: this.execute(sql, params).changes, lastInsertRowid: 0 };
  }

  /** Runs a schema section: many statements, no parameters. */
  runScript(sql: string): void {
    this.call({ op: "script", text: sql });
  }

  /**
   * Every transaction takes the one write lock first, as BEGIN IMMEDIATE does on SQLite: the
   * broker's races (two acks, a cancel against a poll) have the same single winner on both.
   * A nested one is a savepoint, as with bun:sqlite.
   */
  transaction<T>(fn: () => T): Transaction<T> {
    const inTransaction = (): T => {
      const savepoint = this.depth > 0 ? `cafleet_${this.depth}` : null;
      this.call(savepoint ? statement(`SAVEPOINT ${savepoint}`) : { op: "begin" });
      this.depth += 1;
      try {
        const result = fn();
        this.depth -= 1;
        this.call(statement(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT"));
        return result;
      } catch (error) {
        this.depth -= 1;
        this.rollbackQuietly(savepoint);
        throw error;
      }
    };
    return Object.assign(inTransaction, {
      deferred: inTransaction,
      immediate: inTransaction,
      exclusive: inTransaction,
    });
  }

  private rollbackQuietly(savepoint: string | null): void {
    try {
      this.call(statement(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK"));
    } catch {
      // The connection itself failed: the server rolls the transaction back when it drops.
    }
  }

  /** How many change notifications arrived: grows whenever any connection commits a change. */
  dataVersion(): number {
    if (!this.listening) {
      this.call({ op: "listen" });
      this.listening = true;
    }
    return Atomics.load(this.flags, CHANGES);
  }

  /** Resolves when a change notification arrives after `seen`, or after `ms`. */
  async nextChange(seen: number, ms: number): Promise<void> {
    const waiting = Atomics.waitAsync(this.flags, CHANGES, seen, ms);
    if (waiting.async) await waiting.value;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: "close" });
    } catch {
      // Closing a connection that already failed has nothing left to do.
    }
    this.closed = true;
    void this.worker.terminate();
  }
}
