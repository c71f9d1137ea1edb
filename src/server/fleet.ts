import type { Database } from "bun:sqlite";
import { listSessionAgentsForUi } from "../broker/agents.ts";
import { lookAtAgents, readTeamViews } from "../broker/team-view.ts";
import { nowIso } from "../broker/time.ts";
import type { AgentScreen, Fleet } from "./model.ts";

/**
 * The fleet console's reads: every agent the page lists, as its screen shows it now. A pane
 * that does not answer within this long counts as `unknown`, so a stuck tmux server delays a
 * request (and the live feed's look) by at most one timeout.
 */
export const PANE_TIMEOUT_SECONDS = 2;

type Env = Record<string, string | undefined>;

/** GET /ui/api/fleet: one entry per agent of /ui/api/agents, in the same order. */
export async function readFleet(db: Database, env: Env, sessionId: string): Promise<Fleet> {
  const agentIds = listSessionAgentsForUi(db, sessionId).map((agent) => agent.agent_id);
  const views = await readTeamViews(db, env, agentIds, PANE_TIMEOUT_SECONDS);
  return {
    agents: views.map((view, index) => ({
      agent_id: agentIds[index]!,
      state: view.state,
      state_detail: view.state_detail,
      coding_agent: view.coding_agent,
      model: view.model,
      unread: view.unread,
      held: view.held,
      last_activity: view.last_activity,
    })),
  };
}

/** A screen as the page shows it: each line without its trailing blanks, no blank lines after the last. */
function trimScreen(screen: string): string {
  return screen
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

/** GET /ui/api/agents/:agent_id/screen, for an agent already known to be in the session. */
export async function readAgentScreen(db: Database, env: Env, agentId: string): Promise<AgentScreen> {
  const [look] = await lookAtAgents(db, env, [agentId], PANE_TIMEOUT_SECONDS);
  return {
    agent_id: agentId,
    state: look!.state,
    content: look!.screen === null ? null : trimScreen(look!.screen),
    captured_at: nowIso(),
  };
}
