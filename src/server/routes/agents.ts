import type { Database } from "bun:sqlite";
import { Elysia } from "elysia";
import { listSessionAgentsForUi, requireAgentInSession } from "../../broker/agents.ts";
import { listInboxMessages, listSentMessages } from "../../broker/timeline.ts";
import type { UiAgent } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

export function agentRoutes(db: Database) {
  return new Elysia()
    .get("/ui/api/agents", ({ headers }) => {
      const sessionId = requireSessionHeader(db, headers);
      return { agents: listSessionAgentsForUi(db, sessionId) as UiAgent[] };
    })
    .get("/ui/api/agents/:agentId/inbox", ({ headers, params }) => {
      requireAgentInSession(db, requireSessionHeader(db, headers), params.agentId);
      return { messages: listInboxMessages(db, params.agentId) };
    })
    .get("/ui/api/agents/:agentId/sent", ({ headers, params }) => {
      requireAgentInSession(db, requireSessionHeader(db, headers), params.agentId);
      return { messages: listSentMessages(db, params.agentId) };
    });
}
