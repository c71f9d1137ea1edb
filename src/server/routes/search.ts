import { Elysia } from "elysia";
import { requireAgentInSession } from "../../broker/agents.ts";
import { searchMessages } from "../../broker/search.ts";
import { SEARCH_LIMIT } from "../../broker/search-limit.ts";
import type { Database } from "../../store/database.ts";
import { HttpError } from "../http-error.ts";
import { SearchResults } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

const BAD_LIMIT = `limit must be an integer from 1 to ${SEARCH_LIMIT.max}`;

/** A query parameter as text (Elysia keeps one value of a repeated key); anything else is missing. */
function single(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function readLimit(raw: string | undefined): number {
  if (raw === undefined) return SEARCH_LIMIT.default;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : 0;
  if (limit < 1 || limit > SEARCH_LIMIT.max) throw new HttpError(400, BAD_LIMIT);
  return limit;
}

/** GET /ui/api/search?q=&agent_id=&limit=: the session's messages matching q, newest first. */
export function searchRoutes(db: Database) {
  return new Elysia({ strictPath: true }).get(
    "/search",
    ({ headers, query }) => {
      const sessionId = requireSessionHeader(db, headers);
      const text = single(query.q);
      if (text === undefined || text.trim() === "") throw new HttpError(400, "q query parameter required");
      const limit = readLimit(single(query.limit));
      const agentId = single(query.agent_id) || undefined;
      if (agentId !== undefined) requireAgentInSession(db, sessionId, agentId);
      return { messages: searchMessages(db, sessionId, text, { agentId, limit }) };
    },
    { response: { 200: SearchResults } },
  );
}
