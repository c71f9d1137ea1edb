import { type Static, t } from "elysia";

/**
 * The web API's contract (webui.md §3): every request and response shape, once, in key order.
 * Each route declares its answer here as a `response` schema, the broker's readers that feed the
 * page return these types, and the web app imports its types from this file (type-only, so the
 * page's bundle holds none of Elysia) — never from src/broker/.
 */

const TaskState = t.Union([
  t.Literal("input_required"),
  t.Literal("completed"),
  t.Literal("canceled"),
  t.Literal("failed"),
]);

export const SessionListing = t.Object({
  session_id: t.String(),
  label: t.Nullable(t.String()),
  created_at: t.String(),
  agent_count: t.Integer(),
});
export type SessionListing = Static<typeof SessionListing>;

export const Agent = t.Object({
  agent_id: t.String(),
  name: t.String(),
  description: t.String(),
  status: t.Union([t.Literal("active"), t.Literal("deregistered")]),
  registered_at: t.String(),
  kind: t.Union([t.Literal("builtin-administrator"), t.Literal("user")]),
});
export type Agent = Static<typeof Agent>;

export const Message = t.Object({
  task_id: t.String(),
  from_agent_id: t.String(),
  from_agent_name: t.String(),
  to_agent_id: t.String(),
  to_agent_name: t.String(),
  type: t.String(),
  status: TaskState,
  created_at: t.String(),
  status_timestamp: t.String(),
  origin_task_id: t.Nullable(t.String()),
  body: t.String(),
  // Added by the delivery work (issue 8), after the webui.md §3 keys.
  reply_to_task_id: t.Nullable(t.String()),
  notified_at: t.Nullable(t.String()),
  notify_failed_at: t.Nullable(t.String()),
  notify_error: t.Nullable(t.String()),
  fetched_at: t.Nullable(t.String()),
  nudge_count: t.Integer(),
  // Added by the pane boundary (migrations.sql version 3): why a push waits for the pane.
  held_at: t.Nullable(t.String()),
  held_reason: t.Nullable(t.String()),
});
export type Message = Static<typeof Message>;

export const Sessions = t.Array(SessionListing);
export const Agents = t.Object({ agents: t.Array(Agent) });
export const Messages = t.Object({ messages: t.Array(Message) });

export const SendMessageBody = t.Object({
  from_agent_id: t.String(),
  to_agent_id: t.String(),
  text: t.String(),
  // The fleet console: the task this unicast answers (a task of the same session), shown threaded.
  reply_to: t.Optional(t.String()),
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const SendResult = t.Object({ task_id: t.String(), status: TaskState });
export type SendResult = Static<typeof SendResult>;

/** One event of /ui/api/events: the timeline rows whose status changed, and whether the agent list did. */
export const LiveEvent = t.Object({ messages: t.Array(Message), agents_changed: t.Boolean() });
export type LiveEvent = Static<typeof LiveEvent>;

/**
 * The fleet console: what each agent of the session is doing now. `state` comes from the same
 * screen classifier the push uses; agents that never had a pane (the Administrator, a registered
 * process) are `no_pane`. `state_detail` names a waiting or held screen ("permission prompt",
 * "question", …): whatever a push would wait at, so also "working" or "draft in input box";
 * null at an idle prompt and without a screen. `unread` counts deliveries no poll has returned.
 */
export const FleetState = t.Union([
  t.Literal("idle"),
  t.Literal("working"),
  t.Literal("waiting"),
  t.Literal("gone"),
  t.Literal("pending"),
  t.Literal("unknown"),
  t.Literal("no_pane"),
]);
export type FleetState = Static<typeof FleetState>;

export const FleetAgent = t.Object({
  agent_id: t.String(),
  state: FleetState,
  state_detail: t.Nullable(t.String()),
  coding_agent: t.Nullable(t.String()),
  model: t.Nullable(t.String()),
  unread: t.Integer(),
  held: t.Integer(),
  last_activity: t.Nullable(t.String()),
});
export type FleetAgent = Static<typeof FleetAgent>;

/** GET /ui/api/fleet, and the data of the event stream's `fleet` events (sent when it changes). */
export const Fleet = t.Object({ agents: t.Array(FleetAgent) });
export type Fleet = Static<typeof Fleet>;

/** GET /ui/api/agents/:agent_id/screen: a read-only capture of the agent's pane (null without one). */
export const AgentScreen = t.Object({
  agent_id: t.String(),
  state: FleetState,
  content: t.Nullable(t.String()),
  captured_at: t.String(),
});
export type AgentScreen = Static<typeof AgentScreen>;

/**
 * One hit of GET /ui/api/search: the message, and a plain-text snippet around the match with the
 * matched ranges as [start, end) character offsets into it (the page marks them up as text).
 */
export const SearchHit = t.Composite([
  Message,
  t.Object({ snippet: t.String(), matches: t.Array(t.Tuple([t.Integer(), t.Integer()])) }),
]);
export type SearchHit = Static<typeof SearchHit>;
export const SearchResults = t.Object({ messages: t.Array(SearchHit) });
export type SearchResults = Static<typeof SearchResults>;

/** Every error answer: the same text under both keys (webui.md §2). */
export type ErrorBody = { detail: string; error: string };
