import { pad } from "../format.ts";
import type { ListedMember } from "./member-read.ts";

/**
 * `member list --wide`: the team at a glance, one row per member, after the normative columns of
 * cli.md §6.20 (whose plain output stays byte for byte as specified).
 */
const HEADER =
  "  agent_id        name      backend  state    unread  held  last_activity                     model\n" +
  "  --------------  --------  -------  -------  ------  ----  --------------------------------  -----";

/** cli.md §6.20: ids longer than 14 characters show their first 12 and an ellipsis. */
export function shortId(id: string): string {
  return id.length <= 14 ? id : `${id.slice(0, 12)}…`;
}

export function formatTeamView(members: ListedMember[]): string {
  const rows = members.map((member) =>
    [
      `  ${pad(shortId(member.agent_id), 14)}`,
      pad(member.name, 8),
      pad(member.placement.coding_agent, 7),
      pad(member.team.state, 7),
      pad(String(member.team.unread), 6),
      pad(String(member.team.held), 4),
      pad(member.team.last_activity ?? "-", 32),
      member.model ?? "-",
    ].join("  "),
  );
  const count = members.length === 1 ? "1 member:" : `${members.length} members:`;
  return [count, HEADER, ...rows].join("\n");
}
