import { Elysia } from "elysia";
import { listSessions } from "../../broker/sessions.ts";
import type { Database } from "../../store/database.ts";
import { Sessions } from "../model.ts";

export function sessionRoutes(db: Database) {
  return new Elysia({ strictPath: true }).get("/sessions", () => listSessions(db), {
    response: { 200: Sessions },
  });
}
