import type { Database } from "bun:sqlite";
import { Elysia } from "elysia";
import { listTimelineMessages } from "../../broker/timeline.ts";
import { requireSessionHeader } from "../session-header.ts";

export function timelineRoutes(db: Database) {
  return new Elysia().get("/ui/api/timeline", ({ headers }) => ({
    messages: listTimelineMessages(db, requireSessionHeader(db, headers)),
  }));
}
