import type { Database } from "bun:sqlite";
import { Elysia } from "elysia";
import { listSessions } from "../../broker/sessions.ts";
import type { SessionListing } from "../model.ts";

export function sessionRoutes(db: Database) {
  return new Elysia().get("/ui/api/sessions", (): SessionListing[] => listSessions(db));
}
