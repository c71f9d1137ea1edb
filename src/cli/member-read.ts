import type { Database } from "bun:sqlite";
import { listMembers, type Member } from "../broker/agents.ts";
import { holdReportMs, longHeldMembers, markPaneGone, paneGoneAt } from "../broker/delivery.ts";
import type { TeamMember } from "../broker/members.ts";
import { findPaneAddress } from "../broker/pane-address.ts";
import { CafleetError, messageOf } from "../errors.ts";
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

/**
 * The Director's members (cli.md §6.20). A member whose pane is gone shows status `gone`; one
 * whose pushes have been held past the report threshold (a prompt waits for a person) shows
 * `held`; nothing else changes.
 */
export async function readMemberList(
  db: Database,
  env: Env,
  sessionId: string,
  directorId: string,
): Promise<Member[]> {
  const listed = listMembers(db, sessionId, directorId);
  await noticeGonePanes(db, env, listed);
  const held = longHeldMembers(db, sessionId, holdReportMs(env));
  return listed.map((member) => {
    if (paneGoneAt(db, member.agent_id) !== null) return { ...member, status: "gone" };
    return held.has(member.agent_id) ? { ...member, status: "held" } : member;
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
