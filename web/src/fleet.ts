import type { FleetAgent, FleetState } from "./api.ts";

/** What the sidebar says about a member's screen (FleetState in src/server/model.ts). */
export const STATE_LABELS: Record<FleetState, string> = {
  idle: "idle",
  working: "working",
  waiting: "waiting",
  gone: "pane gone",
  pending: "starting",
  unknown: "unknown",
  no_pane: "no pane",
};

export function stateText(agent: FleetAgent): string {
  const label = STATE_LABELS[agent.state];
  return agent.state === "waiting" && agent.state_detail ? `${label}: ${agent.state_detail}` : label;
}

/** Agents whose screen there is to watch. */
export function hasPane(agent: FleetAgent | undefined): boolean {
  return agent !== undefined && agent.state !== "no_pane" && agent.state !== "gone";
}

export function byAgentId(fleet: FleetAgent[]): Map<string, FleetAgent> {
  return new Map(fleet.map((agent) => [agent.agent_id, agent]));
}
