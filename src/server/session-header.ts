import { findSession } from "../broker/sessions.ts";
import type { Database } from "../store/database.ts";
import { HttpError } from "./http-error.ts";

/** The session named by `X-Session-Id`; a soft-deleted session is accepted (the row exists). */
export function requireSessionHeader(db: Database, headers: Record<string, string | undefined>): string {
  const sessionId = headers["x-session-id"];
  if (!sessionId) throw new HttpError(400, "X-Session-Id header required");
  if (!findSession(db, sessionId)) throw new HttpError(404, "Session not found");
  return sessionId;
}
