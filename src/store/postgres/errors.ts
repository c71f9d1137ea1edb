import { CafleetError } from "../../errors.ts";

/** A failure the worker reported: Bun.SQL's code and, from the server, the SQLSTATE. */
export class PostgresStoreError extends Error {
  readonly code: string;
  readonly sqlState: string;
  constructor(reported: { message: string; code: string; sqlState: string }) {
    super(reported.message);
    this.code = reported.code;
    this.sqlState = reported.sqlState;
  }
}

const FIX_URL = "or point CAFLEET_DATABASE_URL at another server";

/** The server's "invalid password" and "invalid authorization", and the client's own refusals. */
function isRefusedLogin(code: string, sqlState: string): boolean {
  return (
    sqlState === "28P01" ||
    sqlState === "28000" ||
    code === "ERR_POSTGRES_AUTHENTICATION_FAILED_PBKDF2" ||
    code.startsWith("ERR_POSTGRES_UNSUPPORTED_AUTH")
  );
}

/**
 * Turns connection failures into one line naming the server (never the password) and what to
 * do. Other errors (a constraint, a bug) stay as they are.
 */
export function describePostgresError(error: PostgresStoreError, where: string): Error {
  const { code, sqlState, message } = error;
  if (
    code === "ERR_POSTGRES_CONNECTION_REFUSED" ||
    code === "ERR_POSTGRES_CONNECTION_CLOSED" ||
    code === "ERR_POSTGRES_CONNECTION_TIMEOUT"
  )
    return new CafleetError(
      `cannot reach the PostgreSQL server of ${where} (${message}). Check that it is running and that the URL's host and port are right, ${FIX_URL}.`,
    );
  if (isRefusedLogin(code, sqlState))
    return new CafleetError(
      `the PostgreSQL server of ${where} refused the login (${message}). Check the user and password in CAFLEET_DATABASE_URL.`,
    );
  if (sqlState === "3D000")
    return new CafleetError(
      `${where} does not exist on its PostgreSQL server (${message}). Create it (createdb), or point CAFLEET_DATABASE_URL at another database.`,
    );
  if (code.startsWith("ERR_POSTGRES_TLS"))
    return new CafleetError(
      `the PostgreSQL server of ${where} cannot use TLS as the URL's sslmode asks (${message}). Enable TLS on the server or change sslmode.`,
    );
  return error;
}
