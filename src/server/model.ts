import { type Static, t } from "elysia";

/** Request and response shapes of the web API (webui.md §3), in key order. */

export const SendMessageBody = t.Object({
  from_agent_id: t.String(),
  to_agent_id: t.String(),
  text: t.String(),
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const SessionListing = t.Object({
  session_id: t.String(),
  label: t.Nullable(t.String()),
  created_at: t.String(),
  agent_count: t.Integer(),
});
export type SessionListing = Static<typeof SessionListing>;

export const UiAgent = t.Object({
  agent_id: t.String(),
  name: t.String(),
  description: t.String(),
  status: t.Union([t.Literal("active"), t.Literal("deregistered")]),
  registered_at: t.String(),
  kind: t.Union([t.Literal("builtin-administrator"), t.Literal("user")]),
});
export type UiAgent = Static<typeof UiAgent>;

export const Message = t.Object({
  task_id: t.String(),
  from_agent_id: t.String(),
  from_agent_name: t.String(),
  to_agent_id: t.String(),
  to_agent_name: t.String(),
  type: t.String(),
  status: t.String(),
  created_at: t.String(),
  status_timestamp: t.String(),
  origin_task_id: t.Nullable(t.String()),
  body: t.String(),
  reply_to_task_id: t.Nullable(t.String()),
  notified_at: t.Nullable(t.String()),
  notify_failed_at: t.Nullable(t.String()),
  notify_error: t.Nullable(t.String()),
  fetched_at: t.Nullable(t.String()),
  nudge_count: t.Integer(),
  held_at: t.Nullable(t.String()),
  held_reason: t.Nullable(t.String()),
});

export const MessageList = t.Object({ messages: t.Array(Message) });

export const SendResult = t.Object({
  task_id: t.String(),
  status: t.Union([t.Literal("input_required"), t.Literal("completed")]),
});

/** One live event: the timeline rows whose status changed, and whether the agent list did. */
export const LiveEvent = t.Object({ messages: t.Array(Message), agents_changed: t.Boolean() });
export type LiveEvent = Static<typeof LiveEvent>;
