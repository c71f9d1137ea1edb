import type { Database } from "bun:sqlite";
import { listMembers, type Member } from "../broker/agents.ts";
import {
  HELD_UNFETCHED_SQL,
  holdReportMs,
  longHeldMembers,
  markPaneGone,
  paneGoneAt,
} from "../broker/delivery.ts";
import type { TeamMember } from "../broker/members.ts";
import { findPaneAddress } from "../broker/pane-address.ts";
import { type LiveState, liveStateOf } from "../broker/supervision.ts";
import { CafleetError, messageOf } from "../errors.ts";
import { lookAtPane } from "../repl/look.ts";
import { attachedServer } from "../tmux/argv.ts";
import { capturePane, listPaneIds } from "../tmux/pane.ts";
import { tmuxOnPath } from "../tmux/run.ts";

/**
 * What `member list` and `member capture` read, for the CLI and the MCP tools alike (this module
 * stays free of the spawning code, so the MCP bundle does not carry the embedded skills).
 */

type Env = Record<string, string | undefined>;

export const DEFAULT_CAPTURE_LINES = 80;

/**
 * Marks members whose pane no longer exists, asking each pane's own tmux server. A listing of
 * the caller's server counts only when it holds the caller's own pane ($TMUX_PANE); another
 * server's counts when it answers at all. A failed or foreign answer proves nothing.
 */
async function noticeGonePanes(db: Database, env: Env, members: Member[]): Promise<void> {
  if (!tmuxOnPath()) return;
  const own = attachedServer(env);
  const byServer = new Map<string | null, Member[]>();
  for (const member of members) {
    if (member.placement.tmux_pane_id === null) continue;
    const server = findPaneAddress(db, member.agent_id)?.server ?? null;
    const key = server === own ? null : server;
    byServer.set(key, [...(byServer.get(key) ?? []), member]);
  }
  for (const [server, group] of byServer) {
    if (server === null && (!env.TMUX || !env.TMUX_PANE)) continue;
    let live: string[];
    try {
      live = await listPaneIds(server);
    } catch {
      continue;
    }
    if (server === null && !live.includes(env.TMUX_PANE!)) continue;
    for (const { agent_id, placement } of group)
      if (!live.includes(placement.tmux_pane_id!)) markPaneGone(db, agent_id, placement.tmux_pane_id!);
  }
}

/** What the team view adds to each member of cli.md §6.20, beside its normative keys. */
export type TeamView = {
  state: LiveState;
  unread: number;
  held: number;
  last_activity: string | null;
};

export type ListedMember = Member & { model: string | null; team: TeamView };

/** Unread and held counts, and the member's latest sign of life: a message sent, a poll, a screen change. */
function activityOf(db: Database, memberId: string) {
  return db
    .query(
      `SELECT
         (SELECT COUNT(*) FROM tasks WHERE context_id = ?1 AND status_state = 'input_required' AND type = 'unicast') AS unread,
         (SELECT COUNT(*) FROM tasks AS t WHERE t.context_id = ?1 AND ${HELD_UNFETCHED_SQL}) AS held,
         MAX(COALESCE((SELECT MAX(created_at) FROM tasks WHERE from_agent_id = ?1 AND context_id <> ?1), ''),
             COALESCE((SELECT MAX(fetched_at) FROM tasks WHERE context_id = ?1), ''),
             COALESCE(p.screen_changed_at, '')) AS last_activity,
         p.model
       FROM agent_placements AS p WHERE p.agent_id = ?1`,
    )
    .get(memberId) as { unread: number; held: number; last_activity: string; model: string | null };
}

async function liveState(db: Database, member: Member): Promise<LiveState> {
  const pane = member.placement.tmux_pane_id;
  if (pane === null) return "pending";
  if (paneGoneAt(db, member.agent_id) !== null) return "gone";
  const address = findPaneAddress(db, member.agent_id);
  try {
    const ref = { id: pane, server: address?.server ?? null };
    const { state } = await lookAtPane(ref, address?.repl ?? member.placement.coding_agent, {
      timeoutSeconds: 5,
    });
    return liveStateOf(state);
  } catch {
    return "unknown";
  }
}

/**
 * The Director's members (cli.md §6.20). A member whose pane is gone shows status `gone`; one
 * whose pushes have been held past the report threshold (a prompt waits for a person) shows
 * `held`. Each also carries its model and the team view: what its screen shows now (idle,
 * working, waiting at a question or permission prompt, gone), unread and held messages, and its
 * last activity.
 */
export async function readMemberList(
  db: Database,
  env: Env,
  sessionId: string,
  directorId: string,
): Promise<ListedMember[]> {
  const listed = listMembers(db, sessionId, directorId);
  await noticeGonePanes(db, env, listed);
  const held = longHeldMembers(db, sessionId, holdReportMs(env));
  const states = tmuxOnPath()
    ? await Promise.all(listed.map((member) => liveState(db, member)))
    : listed.map((member) => (member.placement.tmux_pane_id === null ? "pending" : "unknown"));
  return listed.map((member, index) => {
    const gone = paneGoneAt(db, member.agent_id) !== null;
    const status = gone ? "gone" : held.has(member.agent_id) ? "held" : member.status;
    const { model, unread, held: heldCount, last_activity } = activityOf(db, member.agent_id);
    return {
      ...member,
      status,
      model,
      team: {
        state: gone ? "gone" : states[index]!,
        unread,
        held: heldCount,
        last_activity: last_activity === "" ? null : last_activity,
      },
    };
  });
}

/** The last `lines` lines of a member's pane (§6.21), as `member capture --json` prints them. */
export async function captureMember(db: Database, member: TeamMember, lines: number) {
  const pane = member.placement.tmux_pane_id;
  if (pane === null)
    throw new CafleetError(
      `member ${member.agent_id} has no pane yet (pending placement) — nothing to capture.`,
    );
  let content: string;
  try {
    content = await capturePane(
      { id: pane, server: findPaneAddress(db, member.agent_id)?.server ?? null },
      lines,
    );
  } catch (error) {
    throw new CafleetError(`capture failed: ${messageOf(error)}`);
  }
  return { member_agent_id: member.agent_id, pane_id: pane, lines, content };
}
