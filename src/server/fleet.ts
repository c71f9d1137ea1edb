import { listSessionAgentsForUi } from "../broker/agents.ts";
import { lookAtAgents, type PaneLook, teamViewOf } from "../broker/team-view.ts";
import { nowIso } from "../broker/time.ts";
import type { Database } from "../store/database.ts";
import type { AgentScreen, Fleet } from "./model.ts";

/**
 * The fleet console's reads: every agent the page lists, as its screen shows it now. A pane
 * that does not answer within this long counts as `unknown`, so a stuck tmux server delays a
 * request (and the live feed's look) by at most one timeout.
 */
export const PANE_TIMEOUT_SECONDS = 2;

type Env = Record<string, string | undefined>;

function fleetOf(db: Database, agentIds: string[], looks: PaneLook[]): Fleet {
  return {
    agents: agentIds.map((agentId, index) => {
      const view = teamViewOf(db, agentId, looks[index]!);
      return {
        agent_id: agentId,
        state: view.state,
        state_detail: view.state_detail,
        coding_agent: view.coding_agent,
        model: view.model,
        unread: view.unread,
        held: view.held,
        last_activity: view.last_activity,
      };
    }),
  };
}

function sessionAgentIds(db: Database, sessionId: string): string[] {
  return listSessionAgentsForUi(db, sessionId).map((agent) => agent.agent_id);
}

/** GET /ui/api/fleet: one entry per agent of /ui/api/agents, in the same order. */
export async function readFleet(db: Database, env: Env, sessionId: string): Promise<Fleet> {
  const agentIds = sessionAgentIds(db, sessionId);
  return fleetOf(db, agentIds, await lookAtAgents(db, env, agentIds, PANE_TIMEOUT_SECONDS));
}

/**
 * The live feed's reader: with `screens` it looks at every pane; without (a data change: an
 * unread count moved) it re-reads the counts and keeps the last look at each pane its
 * placement still names, so a burst of writes spawns no tmux.
 */
export function fleetReader(db: Database, env: Env) {
  const lastLooks = new Map<string, Map<string, PaneLook>>();
  return async (sessionId: string, screens: boolean): Promise<Fleet> => {
    const agentIds = sessionAgentIds(db, sessionId);
    const earlier = screens ? undefined : lastLooks.get(sessionId);
    const looks = await lookAtAgents(db, env, agentIds, PANE_TIMEOUT_SECONDS, earlier);
    // Kept without the screen text: the fleet never shows it.
    const kept = agentIds.map((agentId, index): [string, PaneLook] => [
      agentId,
      { ...looks[index]!, screen: null },
    ]);
    lastLooks.set(sessionId, new Map(kept));
    return fleetOf(db, agentIds, looks);
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
