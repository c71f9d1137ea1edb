/**
 * The few error kinds cafleet raises. The CLI prints `Error: <message>` and exits with
 * `exitCode`; the HTTP server answers with `status` and `{"detail", "error"}`.
 */
const BRAND = Symbol.for("cafleet.error");

export class CafleetError extends Error {
  /** Survives module copies: the server bundle has its own copy of this class. */
  readonly [BRAND] = true;
  /** A stable name for the failed rule, so each door can word it its own way. */
  code = "error";
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly status = 500,
  ) {
    super(message);
    this.name = "CafleetError";
  }

  withCode(code: string): this {
    this.code = code;
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

/** The text of anything thrown, for the one-line errors every door prints. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
