import { CafleetError } from "../../errors.ts";

/** CAFLEET_DATABASE_URL names PostgreSQL with either scheme, as libpq and SQLAlchemy accept. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?(?:\+[^:/]*)?:\/\//i.test(url);
}

/**
 * The URL as Bun.SQL takes it (SQLAlchemy's `postgresql+driver://` spelled plainly), and how
 * messages name it: the user, server and database, never the password.
 */
export function parsePostgresUrl(url: string): { connect: string; where: string } {
  const connect = url.replace(/^postgres(?:ql)?(?:\+[^:/]*)?:/i, "postgres:");
  let parsed: URL;
  try {
    parsed = new URL(connect);
  } catch {
    throw new CafleetError(
      "CAFLEET_DATABASE_URL is not a valid PostgreSQL URL. Write it as postgres://user:password@host:port/database (percent-encode special characters in the password).",
    );
  }
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
  const port = parsed.port || "5432";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(default)";
  return { connect, where: `database ${database} at ${user}${parsed.hostname}:${port}` };
}
