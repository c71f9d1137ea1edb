import { Elysia } from "elysia";
import { listSessionAgentsForUi, requireAgentInSession } from "../../broker/agents.ts";
import { listInboxMessages, listSentMessages } from "../../broker/timeline.ts";
import type { Database } from "../../store/database.ts";
import { readAgentScreen } from "../fleet.ts";
import { AgentScreen, Agents, Messages } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

type Env = Record<string, string | undefined>;

export function agentRoutes(db: Database, env: Env) {
  return new Elysia({ strictPath: true })
    .get(
      "/agents",
      ({ headers }) => ({ agents: listSessionAgentsForUi(db, requireSessionHeader(db, headers)) }),
      {
        response: { 200: Agents },
      },
    )
    .get(
      "/agents/:agentId/inbox",
      ({ headers, params }) => {
        requireAgentInSession(db, requireSessionHeader(db, headers), params.agentId);
        return { messages: listInboxMessages(db, params.agentId) };
      },
      { response: { 200: Messages } },
    )
    .get(
      "/agents/:agentId/sent",
      ({ headers, params }) => {
        requireAgentInSession(db, requireSessionHeader(db, headers), params.agentId);
        return { messages: listSentMessages(db, params.agentId) };
      },
      { response: { 200: Messages } },
    )
    .get(
      "/agents/:agentId/screen",
      ({ headers, params }) => {
        requireAgentInSession(db, requireSessionHeader(db, headers), params.agentId);
        return readAgentScreen(db, env, params.agentId);
      },
      { response: { 200: AgentScreen } },
    );
}
