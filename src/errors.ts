/**
 * The few error kinds cafleet raises. The CLI prints `Error: <message>` and exits with
 * `exitCode`; the HTTP server answers with `status` and `{"detail", "error"}`.
 */
const BRAND = Symbol.for("cafleet.error");

/** The broker's rules that a door words its own way (the web API's 404s and 400s, webui.md §3). */
export type RuleCode =
  | "administrator_protected"
  | "agent_missing"
  | "agent_not_in_session"
  | "destination_missing"
  | "destination_other_session"
  | "director_missing"
  | "root_director_protected"
  | "sender_inactive"
  | "session_deleted"
  | "session_missing"
  | "task_missing";

export class CafleetError extends Error {
  /** Survives module copies: the server bundle has its own copy of this class. */
  readonly [BRAND] = true;
  /** The failed rule, when a broker rule refused the operation. */
  rule: RuleCode | null = null;
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly status = 500,
  ) {
    super(message);
    this.name = "CafleetError";
  }

  withCode(rule: RuleCode): this {
    this.rule = rule;
    return this;
  }
}

/** A rule of the broker refused the operation (unknown id, wrong state, wrong actor). */
export class NotFoundError extends CafleetError {
  constructor(message: string) {
    super(message, 1, 404);
  }
}

export class RuleError extends CafleetError {
  constructor(message: string, status = 400) {
    super(message, 1, status);
  }
}

/** argv problems and the reference's explicit "usage" errors: exit 2. */
export class UsageError extends CafleetError {
  constructor(message: string) {
    super(message, 2, 400);
  }
}

/** The exit code for any error: a CafleetError's own (from whichever bundle threw it), else 1. */
export function exitCodeOf(error: unknown): number {
  if (typeof error !== "object" || error === null || !(BRAND in error)) return 1;
  const { exitCode } = error as { exitCode?: unknown };
  return typeof exitCode === "number" ? exitCode : 1;
}

/** An error bun:sqlite threw (`SQLITE_FULL`, `SQLITE_BUSY_SNAPSHOT`…), with its code. */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

/** The text of anything thrown, for the one-line errors every door prints. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
