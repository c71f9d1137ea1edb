import { lookAtPane } from "../repl/look.ts";
import type { ScreenState } from "../repl/screen.ts";
import type { Database } from "../store/database.ts";
import type { PaneRef } from "../tmux/pane.ts";
import { markPaneGone, UNFETCHED_SQL } from "./delivery.ts";
import { administratorOf } from "./hold-report.ts";
import { hostFor } from "./host.ts";
import { deliverUnicast } from "./messaging.ts";
import { startNudger } from "./notify.ts";
import { confirmedGone } from "./push.ts";
import { isoAt, millisOf, nowIso } from "./time.ts";

/**
 * The session's watcher, run by the background nudger while the session has live members: every
 * few seconds it reads each member's screen (never typing into it) and sends the member's
 * Director one message, from the session's Administrator, per finding that needs a decision:
 * waiting at a question or permission prompt too long, "working" on an unchanged screen too
 * long, its pane gone, or messages left unfetched after the last re-nudge. A finding is stored
 * on the placement once reported and never reported again; it clears when the member is seen
 * healthy, so the next one is news. All well: nothing is sent.
 */

export const DEFAULT_WAITING_ALERT_SECONDS = 120;
export const DEFAULT_STALLED_ALERT_SECONDS = 600;
const DEFAULT_WATCH_MS = 10_000;

export type WatchKnobs = { enabled: boolean; everyMs: number };

/**
 * CAFLEET_TEST_WATCH=off (the test suites' default, so their per-test nudger knobs keep working)
 * and CAFLEET_TEST_WATCH_MS are test-only knobs, read here and nowhere else.
 */
export function watchKnobs(env: Record<string, string | undefined>): WatchKnobs {
  const every = Number(env.CAFLEET_TEST_WATCH_MS);
  return { enabled: env.CAFLEET_TEST_WATCH !== "off", everyMs: every > 0 ? every : DEFAULT_WATCH_MS };
}

/** After `member create` or `respawn`: the session's watcher runs while it has live members. */
export function startWatcher(db: Database, sessionId: string, env: Record<string, string | undefined>): void {
  if (watchKnobs(env).enabled) startNudger(db, sessionId);
}

/** What a member is doing, as `member list` and the watcher name it. */
export type LiveState = "idle" | "working" | "waiting" | "gone" | "pending" | "unknown";

export function liveStateOf(state: ScreenState): LiveState {
  if (state.kind === "modal") return "waiting";
  if (state.kind === "busy") return "working";
  if (state.kind === "unknown") return "unknown";
  return "idle";
}

type Watched = {
  member_id: string;
  member_name: string;
  director_id: string;
  pane: string;
  server: string | null;
  repl: string | null;
  coding_agent: string;
  pane_gone_at: string | null;
  screen_state: string | null;
  screen_state_since: string | null;
  screen_digest: string | null;
  screen_changed_at: string | null;
  finding: string | null;
  hold_reported_at: string | null;
  waiting_alert_seconds: number | null;
  stalled_alert_seconds: number | null;
};

const WATCHED_SQL = `SELECT m.agent_id AS member_id, m.name AS member_name, p.director_agent_id AS director_id,
    p.tmux_pane_id AS pane, p.tmux_socket AS server, p.repl, p.coding_agent, p.pane_gone_at,
    p.screen_state, p.screen_state_since, p.screen_digest, p.screen_changed_at, p.finding, p.hold_reported_at,
    p.waiting_alert_seconds, p.stalled_alert_seconds
  FROM agents AS m JOIN agent_placements AS p ON p.agent_id = m.agent_id
  WHERE m.session_id = ?1 AND m.status = 'active' AND p.director_agent_id IS NOT NULL
    AND p.tmux_pane_id IS NOT NULL AND (p.host IS NULL OR p.host = ?2)`;

/**
 * Members the watcher still has something to look at: a live pane of this host, or a gone one
 * not yet reported. Another host's panes are its own watcher's: this host's tmux cannot see them.
 */
function listWatched(db: Database, sessionId: string): Watched[] {
  return db
    .query(`${WATCHED_SQL} AND (p.pane_gone_at IS NULL OR p.finding IS NULL OR p.finding <> 'gone')`)
    .all(sessionId, hostFor(db)) as Watched[];
}

/** True while the session has a member whose pane the watcher should keep reading. */
export function hasLiveMembers(db: Database, sessionId: string): boolean {
  return listWatched(db, sessionId).length > 0;
}

type Finding = { key: "waiting" | "stalled" | "gone" | "unfetched"; text: string };

/** "3 min"; thresholds under a minute (a member's own --alert-* option) read in seconds. */
function durationSince(iso: string, now: number): string {
  const seconds = Math.round((now - millisOf(iso)) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

function unfetchedAfterLastNudge(
  db: Database,
  memberId: string,
  lastStepMs: number,
  cutoffMs: number,
  exhaustedAt: number,
): number {
  const row = db
    .query(
      `SELECT COUNT(*) AS count FROM tasks AS t WHERE t.context_id = ? AND ${UNFETCHED_SQL}
         AND t.from_agent_id <> t.context_id AND t.nudge_count >= ? AND t.last_nudged_at <= ?`,
    )
    .get(memberId, exhaustedAt, isoAt(Date.now() - Math.max(lastStepMs, cutoffMs))) as { count: number };
  return row.count;
}

export type NudgePlan = { backoffMs: number[] };

function findingOf(
  db: Database,
  sessionId: string,
  member: Watched,
  state: ScreenState | "gone",
  plan: NudgePlan,
): Finding | null {
  const now = Date.now();
  const who = `member ${member.member_name} (${member.member_id})`;
  const look = `cafleet --session-id ${sessionId} member capture --agent-id ${member.director_id} --member-id ${member.member_id}`;
  if (state === "gone")
    return {
      key: "gone",
      text: `cafleet: ${who}: its pane ${member.pane} is gone. Restart it with \`cafleet --session-id ${sessionId} member respawn --agent-id ${member.director_id} --member-id ${member.member_id}\`, or remove it with \`member delete\`.`,
    };
  const waitingMs = (member.waiting_alert_seconds ?? DEFAULT_WAITING_ALERT_SECONDS) * 1000;
  const stalledMs = (member.stalled_alert_seconds ?? DEFAULT_STALLED_ALERT_SECONDS) * 1000;
  if (
    state.kind === "modal" &&
    member.screen_state_since &&
    now - millisOf(member.screen_state_since) >= waitingMs
  )
    return {
      key: "waiting",
      text: [
        `cafleet: ${who} has been waiting at a ${state.reason} for ${durationSince(member.screen_state_since, now)}.`,
        `Look at it with \`${look}\`, then answer with \`member send-input\` (or ask the user).`,
      ].join("\n"),
    };
  if (
    state.kind === "busy" &&
    member.screen_changed_at &&
    now - millisOf(member.screen_changed_at) >= stalledMs
  )
    return {
      key: "stalled",
      text: [
        `cafleet: ${who} has shown the same "${state.reason}" screen for ${durationSince(member.screen_changed_at, now)}.`,
        `Look at it with \`${look}\`.`,
      ].join("\n"),
    };
  const lastStep = plan.backoffMs.at(-1) ?? 0;
  const unfetched = unfetchedAfterLastNudge(
    db,
    member.member_id,
    lastStep,
    waitingMs,
    plan.backoffMs.length + 1,
  );
  if (unfetched > 0)
    return {
      key: "unfetched",
      text: [
        `cafleet: ${who} has not fetched ${unfetched === 1 ? "1 message" : `${unfetched} messages`} after the last re-nudge.`,
        `Look at it with \`${look}\`.`,
      ].join("\n"),
    };
  return null;
}

async function lookAt(member: Watched): Promise<{ state: ScreenState | "gone"; screen: string }> {
  const ref: PaneRef = { id: member.pane, server: member.server };
  if (member.pane_gone_at !== null) return { state: "gone", screen: "" };
  try {
    const { view, state } = await lookAtPane(ref, member.repl ?? member.coding_agent, { timeoutSeconds: 5 });
    return { state, screen: view.screen };
  } catch {
    return {
      state: (await confirmedGone(ref)) ? "gone" : { kind: "unknown", reason: "unrecognised screen" },
      screen: "",
    };
  }
}

/** Records what the screen shows now: the state and since when, and when the screen last changed. */
function recordLook(db: Database, member: Watched, state: LiveState, screen: string): Watched {
  const at = nowIso();
  const digest = String(Bun.hash(screen));
  const since = member.screen_state === state && member.screen_state_since ? member.screen_state_since : at;
  const changed = member.screen_digest === digest && member.screen_changed_at ? member.screen_changed_at : at;
  if (since === member.screen_state_since && changed === member.screen_changed_at) return member;
  db.query(
    `UPDATE agent_placements SET screen_state = ?, screen_state_since = ?, screen_digest = ?, screen_changed_at = ?
     WHERE agent_id = ?`,
  ).run(state, since, digest, changed, member.member_id);
  return {
    ...member,
    screen_state: state,
    screen_state_since: since,
    screen_digest: digest,
    screen_changed_at: changed,
  };
}

/**
 * One finding per member at a time. Reporting one also counts as the long-hold report
 * (hold-report.ts), and a member whose long hold was already reported gets no second message
 * for the same stuck screen: the Director hears about one stuck member once.
 */
async function report(
  db: Database,
  sessionId: string,
  member: Watched,
  finding: Finding | null,
): Promise<void> {
  if (finding === null) {
    const healed = member.screen_state === "idle" && member.hold_reported_at !== null;
    if (member.finding !== null || healed)
      db.query(
        `UPDATE agent_placements SET finding = NULL, finding_reported_at = NULL,
           hold_reported_at = CASE WHEN ? = 'idle' THEN NULL ELSE hold_reported_at END
         WHERE agent_id = ?`,
      ).run(member.screen_state, member.member_id);
    return;
  }
  if (member.finding === finding.key) return;
  const claimed = db
    .transaction((): { alreadyHeld: boolean } | null => {
      const row = db
        .query("SELECT finding, hold_reported_at FROM agent_placements WHERE agent_id = ?")
        .get(member.member_id) as { finding: string | null; hold_reported_at: string | null } | null;
      if (!row || row.finding === finding.key) return null;
      const at = nowIso();
      db.query(
        `UPDATE agent_placements SET finding = ?, finding_reported_at = ?, hold_reported_at = COALESCE(hold_reported_at, ?)
         WHERE agent_id = ?`,
      ).run(finding.key, at, at, member.member_id);
      return { alreadyHeld: row.hold_reported_at !== null && finding.key !== "gone" };
    })
    .immediate();
  if (!claimed || claimed.alreadyHeld) return;
  const administrator = administratorOf(db, sessionId);
  if (!administrator) return;
  await deliverUnicast(db, {
    sessionId,
    fromAgentId: administrator,
    toAgentId: member.director_id,
    text: finding.text,
  });
}

/** One round of the watcher over the session's members. */
export async function watchMembers(db: Database, sessionId: string, plan: NudgePlan): Promise<void> {
  const members = listWatched(db, sessionId);
  const looks = await Promise.all(members.map(lookAt));
  for (const [index, look] of looks.entries()) {
    let member = members[index]!;
    if (look.state === "gone") markPaneGone(db, member.member_id, member.pane);
    else member = recordLook(db, member, liveStateOf(look.state), look.screen);
    await report(db, sessionId, member, findingOf(db, sessionId, member, look.state, plan));
  }
}
