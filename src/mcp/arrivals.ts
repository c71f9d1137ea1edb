import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { InboxCounts } from "../broker/unseen.ts";

/**
 * How the MCP server tells its client that mail has arrived, in every form a client may
 * surface: a logging message (any client that shows server logs), an update of the
 * `cafleet://inbox` resource (clients that subscribed to it), and a Claude Code channel event
 * (Claude Code started with the channel enabled puts it in the model's context). Each is a
 * notification, fire and forget; the agent then calls `poll`.
 */

export const INBOX_URI = "cafleet://inbox";

export const CHANNEL_CAPABILITY = "claude/channel";

export type Subscriptions = Set<string>;

export function arrivalText(counts: InboxCounts): string {
  const unread = counts.unread === 1 ? "1 unread message" : `${counts.unread} unread messages`;
  return `cafleet: new mail (${unread}, ${counts.new} new). Call poll with mode "new" to read it.`;
}

export async function announceArrival(
  server: McpServer,
  subscriptions: Subscriptions,
  counts: InboxCounts,
): Promise<void> {
  const text = arrivalText(counts);
  await server.sendLoggingMessage({
    level: "info",
    logger: "cafleet",
    data: { event: "mail", ...counts, text },
  });
  if (subscriptions.has(INBOX_URI)) await server.server.sendResourceUpdated({ uri: INBOX_URI });
  await server.server.notification({
    method: "notifications/claude/channel",
    params: { content: text, meta: { unread: String(counts.unread), new: String(counts.new) } },
  });
}
