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
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const SendResult = t.Object({ task_id: t.String(), status: TaskState });
export type SendResult = Static<typeof SendResult>;

/** One event of /ui/api/events: the timeline rows whose status changed, and whether the agent list did. */
export const LiveEvent = t.Object({ messages: t.Array(Message), agents_changed: t.Boolean() });
export type LiveEvent = Static<typeof LiveEvent>;

/** Every error answer: the same text under both keys (webui.md §2). */
export type ErrorBody = { detail: string; error: string };
