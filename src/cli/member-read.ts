import { listMembers, type Member } from "../broker/agents.ts";
import { holdReportMs, longHeldMembers, paneGoneAt } from "../broker/delivery.ts";
import type { TeamMember } from "../broker/members.ts";
import { memberPaneRef } from "../broker/pane-address.ts";
import { readTeamViews, type TeamView } from "../broker/team-view.ts";
import { CafleetError, messageOf } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { capturePane } from "../tmux/pane.ts";

/**
 * What `member list` and `member capture` read, for the CLI and the MCP tools alike (this module
 * stays free of the spawning code, so the MCP bundle does not carry the embedded skills).
 */

type Env = Record<string, string | undefined>;

export const DEFAULT_CAPTURE_LINES = 80;

const LOOK_TIMEOUT_SECONDS = 5;

/** What the team view adds to each member of cli.md §6.20, beside its normative keys. */
export type MemberTeamView = Pick<TeamView, "state" | "unread" | "held" | "last_activity">;

export type ListedMember = Member & { model: string | null; team: MemberTeamView };

/**
 * The Director's members (cli.md §6.20). A member whose pane is gone shows status `gone`; one
 * whose pushes have been held past the report threshold (a prompt waits for a person) shows
 * `held`. Each also carries its model and the team view (src/broker/team-view.ts).
 */
export async function readMemberList(
  db: Database,
  env: Env,
  sessionId: string,
  directorId: string,
): Promise<ListedMember[]> {
  const listed = listMembers(db, sessionId, directorId);
  const views = await readTeamViews(
    db,
    env,
    listed.map((member) => member.agent_id),
    LOOK_TIMEOUT_SECONDS,
  );
  const held = longHeldMembers(db, sessionId, holdReportMs(env));
  return listed.map((member, index) => {
    const { state, unread, held: heldCount, last_activity, model } = views[index]!;
    const status =
      paneGoneAt(db, member.agent_id) !== null ? "gone" : held.has(member.agent_id) ? "held" : member.status;
    return { ...member, status, model, team: { state, unread, held: heldCount, last_activity } };
  });
}

/** The last `lines` lines of a member's pane (§6.21), as `member capture --json` prints them. */
export async function captureMember(db: Database, member: TeamMember, lines: number) {
  const pane = member.placement.tmux_pane_id;
  if (pane === null)
    throw new CafleetError(
      `member ${member.agent_id} has no pane yet (pending placement) — nothing to capture.`,
    );
  const ref = memberPaneRef(db, member.agent_id, pane);
  let content: string;
  try {
    content = await capturePane(ref, lines);
  } catch (error) {
    throw new CafleetError(`capture failed: ${messageOf(error)}`);
  }
  return { member_agent_id: member.agent_id, pane_id: pane, lines, content };
}
