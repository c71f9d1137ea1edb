import { Elysia } from "elysia";
import { listTimelineMessages } from "../../broker/timeline.ts";
import type { Database } from "../../store/database.ts";
import { Messages } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

export function timelineRoutes(db: Database) {
  return new Elysia({ strictPath: true }).get(
    "/timeline",
    ({ headers }) => ({ messages: listTimelineMessages(db, requireSessionHeader(db, headers)) }),
    { response: { 200: Messages } },
  );
}
