import { lookAtPane } from "../repl/look.ts";
import { type HoldReason, holdReasonOf, type ScreenState } from "../repl/screen.ts";
import type { Database } from "../store/database.ts";
import { attachedServer } from "../tmux/argv.ts";
import { listPaneIds } from "../tmux/pane.ts";
import { tmuxOnPath } from "../tmux/run.ts";
import { HELD_UNFETCHED_SQL, markPaneGone, UNFETCHED_SQL } from "./delivery.ts";
import { isOnThisHost } from "./pane-address.ts";
import { type LiveState, liveStateOf } from "./supervision.ts";

/**
 * What each agent is doing now, read the same way for `member list` (its team view) and the web
 * fleet console: the screen as the push classifies it, its unread and held deliveries, its last
 * sign of life. Panes are read concurrently, each tmux call bounded by `timeoutSeconds`, so one
 * slow server costs one timeout, not one per agent.
 */

type Env = Record<string, string | undefined>;

/** `no_pane`: an agent without a placement (the Administrator, a plainly registered process). */
export type AgentState = LiveState | "no_pane";

export type TeamView = {
  state: AgentState;
  /** What a screen that holds a push shows ("permission prompt", "question", "working"…), else null. */
  state_detail: HoldReason | null;
  /** The REPL the screen is read as (the placement's; a Director's is found at session create). */
  coding_agent: string | null;
  model: string | null;
  /** Deliveries no poll has returned yet. */
  unread: number;
  held: number;
  last_activity: string | null;
};

type Place = {
  agent_id: string;
  pane: string | null;
  server: string | null;
  repl: string;
  model: string | null;
  pane_gone_at: string | null;
  host: string | null;
};

function findPlace(db: Database, agentId: string): Place | null {
  return db
    .query(
      `SELECT agent_id, tmux_pane_id AS pane, tmux_socket AS server, COALESCE(repl, coding_agent) AS repl,
              model, pane_gone_at, host
       FROM agent_placements WHERE agent_id = ?`,
    )
    .get(agentId) as Place | null;
}

/**
 * Marks placements whose pane no longer exists, asking each pane's own tmux server; returns
 * their agent ids. A listing of the caller's server counts only when it holds the caller's own
 * pane ($TMUX_PANE); another server's counts when it answers at all. A failed or foreign answer
 * proves nothing. Panes already known gone are not asked about again (nor written again).
 */
async function noticeGonePanes(
  db: Database,
  env: Env,
  places: Place[],
  timeoutSeconds: number,
): Promise<Set<string>> {
  const own = attachedServer(env);
  const byServer = new Map<string | null, Place[]>();
  for (const place of places) {
    // Another host's pane is not on any tmux server this host can ask.
    if (place.pane === null || place.pane_gone_at !== null || !isOnThisHost(place)) continue;
    const key = place.server === own ? null : place.server;
    byServer.set(key, [...(byServer.get(key) ?? []), place]);
  }
  const gone = new Set<string>();
  await Promise.all(
    [...byServer].map(async ([server, group]) => {
      if (server === null && (!env.TMUX || !env.TMUX_PANE)) return;
      let live: string[];
      try {
        live = await listPaneIds(server, { timeoutSeconds });
      } catch {
        return;
      }
      if (server === null && !live.includes(env.TMUX_PANE!)) return;
      for (const place of group) if (!live.includes(place.pane!)) gone.add(place.agent_id);
    }),
  );
  for (const place of places) if (gone.has(place.agent_id)) markPaneGone(db, place.agent_id, place.pane!);
  return gone;
}

/** What a pane showed; `pane` is the pane looked at (null when there was none to read). */
export type PaneLook = {
  state: AgentState;
  detail: HoldReason | null;
  screen: string | null;
  pane: string | null;
};

const NOTHING_TO_READ = { detail: null, screen: null, pane: null };

/** Idle prompts and plain shells take a push; every other screen holds it, for its reason. */
function detailOf(state: ScreenState): HoldReason | null {
  return state.kind === "idle" || state.kind === "shell" ? null : holdReasonOf(state);
}

/** `tmux`: whether tmux is on PATH at all (asked once per round, not once per pane). */
async function lookAtPlace(place: Place | null, tmux: boolean, timeoutSeconds: number): Promise<PaneLook> {
  if (place === null) return { state: "no_pane", ...NOTHING_TO_READ };
  if (place.pane === null) return { state: "pending", ...NOTHING_TO_READ };
  if (place.pane_gone_at !== null) return { state: "gone", ...NOTHING_TO_READ };
  if (!tmux || !isOnThisHost(place)) return { state: "unknown", ...NOTHING_TO_READ };
  try {
    const { view, state } = await lookAtPane({ id: place.pane, server: place.server }, place.repl, {
      timeoutSeconds,
    });
    return { state: liveStateOf(state), detail: detailOf(state), screen: view.screen, pane: place.pane };
  } catch {
    return { state: "unknown", ...NOTHING_TO_READ, pane: place.pane };
  }
}

/** A live pane's earlier look, still good when the placement still names that pane. */
function stillGood(place: Place | null, earlier: PaneLook | undefined): PaneLook | undefined {
  const live = place !== null && place.pane !== null && place.pane_gone_at === null;
  return live && earlier?.pane === place.pane ? earlier : undefined;
}

/**
 * Each agent's screen (never typed into), in `agentIds` order. The gone-pane check and the
 * looks run at once; a pane proven gone wins over whatever its look said. `earlier` looks at a
 * pane the placement still names are taken as they are, without asking tmux again.
 */
export async function lookAtAgents(
  db: Database,
  env: Env,
  agentIds: string[],
  timeoutSeconds: number,
  earlier: ReadonlyMap<string, PaneLook> = new Map(),
): Promise<PaneLook[]> {
  const places = agentIds.map((agentId) => findPlace(db, agentId));
  const kept = places.map((place, index) => stillGood(place, earlier.get(agentIds[index]!)));
  const toRead = places.filter((place, index): place is Place => place !== null && !kept[index]);
  const tmux = tmuxOnPath();
  const [gone, looks] = await Promise.all([
    tmux ? noticeGonePanes(db, env, toRead, timeoutSeconds) : new Set<string>(),
    Promise.all(places.map((place, index) => kept[index] ?? lookAtPlace(place, tmux, timeoutSeconds))),
  ]);
  return looks.map((look, index) =>
    gone.has(agentIds[index]!) ? { state: "gone", ...NOTHING_TO_READ } : look,
  );
}

/**
 * Unread and held counts, and the agent's latest sign of life: a message sent, a poll, a screen
 * change (scalar max nested two by two: PostgreSQL's stand-in for SQLite's takes two arguments).
 */
function activityOf(db: Database, agentId: string) {
  const row = db
    .query(
      `SELECT
         (SELECT COUNT(*) FROM tasks AS t WHERE t.context_id = ?1 AND ${UNFETCHED_SQL}) AS unread,
         (SELECT COUNT(*) FROM tasks AS t WHERE t.context_id = ?1 AND ${HELD_UNFETCHED_SQL}) AS held,
         MAX(MAX(COALESCE((SELECT MAX(created_at) FROM tasks WHERE from_agent_id = ?1 AND context_id <> ?1), ''),
                 COALESCE((SELECT MAX(fetched_at) FROM tasks WHERE context_id = ?1), '')),
             COALESCE((SELECT screen_changed_at FROM agent_placements WHERE agent_id = ?1), '')) AS last_activity`,
    )
    .get(agentId) as { unread: number; held: number; last_activity: string };
  return { ...row, last_activity: row.last_activity === "" ? null : row.last_activity };
}

/** An agent's team view, from a look at its pane and the database's counts. */
export function teamViewOf(db: Database, agentId: string, look: PaneLook): TeamView {
  const place = findPlace(db, agentId);
  return {
    state: look.state,
    state_detail: look.detail,
    coding_agent: place?.repl ?? null,
    model: place?.model ?? null,
    ...activityOf(db, agentId),
  };
}

/** The team view of each agent, in `agentIds` order. */
export async function readTeamViews(
  db: Database,
  env: Env,
  agentIds: string[],
  timeoutSeconds: number,
): Promise<TeamView[]> {
  const looks = await lookAtAgents(db, env, agentIds, timeoutSeconds);
  return agentIds.map((agentId, index) => teamViewOf(db, agentId, looks[index]!));
}
