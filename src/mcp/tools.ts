import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { getActiveAgent, listActiveAgents, requireAgentInSession } from "../broker/agents.ts";
import { describeStorageError } from "../broker/db.ts";
import { readDelivery, readThread } from "../broker/delivery.ts";
import { requireTeamMember } from "../broker/members.ts";
import { deliverBroadcast, deliverUnicast } from "../broker/messaging.ts";
import { pollInboxTasks, pollUnseenTasks } from "../broker/poll.ts";
import { ackTask, cancelTask, getTask } from "../broker/tasks.ts";
import { normalizeSince } from "../broker/time.ts";
import { countUnseen } from "../broker/unseen.ts";
import { captureMember, DEFAULT_CAPTURE_LINES, readMemberList } from "../cli/member-read.ts";
import { requireDestinationFormat } from "../cli/message.ts";
import { messageOf, UsageError } from "../errors.ts";
import { broadcastJson, sendJson, taskDetailJson } from "../format.ts";
import { renderJson } from "../output.ts";
import type { Database } from "../store/database.ts";

/**
 * The MCP tools: the CLI's agent commands for one bound identity, over the same broker functions.
 * A result is the text the CLI's `--json` prints; an error is a tool error carrying the CLI's
 * message. Descriptions stay short: every client puts the whole list in its model's context.
 */

export type Bound = {
  db: Database;
  dbPath: string;
  env: Record<string, string | undefined>;
  sessionId: string;
  agentId: string;
  /** Aborted when the server shuts down, so a blocking poll ends with it. */
  closing: AbortSignal;
};

/** The one catch of a tool call: the broker's refusals and SQLite's failures become tool errors. */
async function answer(bound: Bound, produce: () => unknown): Promise<CallToolResult> {
  try {
    return { content: [{ type: "text", text: renderJson(await produce()) }] };
  } catch (error) {
    const message = messageOf(describeStorageError(error, bound.dbPath));
    return { content: [{ type: "text", text: message }], isError: true };
  }
}

const taskId = { task_id: z.string() };

const POLL_MODES = ["new", "unread", "count"] as const;

/** The CLI's `--new`/`--unread`/`--count` rules (they exclude since and page_size; count, a wait). */
function checkPollMode(input: { mode?: string; since?: string; page_size?: number; wait_seconds?: number }) {
  const { mode } = input;
  if (mode === undefined) return;
  for (const name of ["since", "page_size"] as const)
    if (input[name] !== undefined) throw new UsageError(`mode '${mode}' cannot be used with '${name}'.`);
  if (mode === "count" && input.wait_seconds !== undefined)
    throw new UsageError("mode 'count' cannot be used with 'wait_seconds'.");
}

export function registerAgentTools(server: McpServer, bound: Bound): void {
  const { db, sessionId, agentId } = bound;
  const action = (task_id: string) => ({ sessionId, agentId, taskId: task_id });

  server.registerTool(
    "whoami",
    { description: "Your session id and your agent (id, name, kind, placement)." },
    () => answer(bound, () => ({ session_id: sessionId, ...getActiveAgent(db, sessionId, agentId) })),
  );

  server.registerTool(
    "agents",
    {
      description: "The session's active agents, or one agent by id.",
      inputSchema: { id: z.string().optional() },
    },
    ({ id }) =>
      answer(bound, () => {
        requireAgentInSession(db, sessionId, agentId);
        return id === undefined ? listActiveAgents(db, sessionId) : getActiveAgent(db, sessionId, id);
      }),
  );

  server.registerTool(
    "send",
    {
      description: "Message one agent. reply_to: the task id this answers.",
      inputSchema: { to: z.string(), text: z.string(), reply_to: z.string().optional() },
    },
    ({ to, text, reply_to }) =>
      answer(bound, async () => {
        requireDestinationFormat(to);
        const { task, notificationSent } = await deliverUnicast(db, {
          sessionId,
          fromAgentId: agentId,
          toAgentId: to,
          text,
          replyToTaskId: reply_to,
        });
        return sendJson(task, notificationSent);
      }),
  );

  server.registerTool(
    "broadcast",
    { description: "Message every other agent of the session.", inputSchema: { text: z.string() } },
    ({ text }) =>
      answer(bound, async () => {
        const { summary, notificationsSentCount } = await deliverBroadcast(db, {
          sessionId,
          fromAgentId: agentId,
          text,
        });
        return broadcastJson(summary, notificationsSentCount);
      }),
  );

  server.registerTool(
    "poll",
    {
      description:
        "Your inbox, newest first. mode new: only what no poll showed you yet; unread: every unread, oldest first; count: numbers only. wait_seconds: block until an unread message arrives.",
      inputSchema: {
        mode: z.enum(POLL_MODES).optional(),
        since: z.string().optional(),
        page_size: z.number().int().min(0).optional(),
        wait_seconds: z.number().min(0).optional(),
      },
    },
    (input, extra) =>
      answer(bound, () => {
        const signal = AbortSignal.any([extra.signal, bound.closing]);
        checkPollMode(input);
        requireAgentInSession(db, sessionId, agentId);
        const { mode, since, wait_seconds: wait } = input;
        if (mode === "count") return countUnseen(db, agentId);
        if (mode !== undefined) return pollUnseenTasks(db, agentId, mode, wait, signal);
        const query = {
          since: since === undefined ? undefined : normalizeSince(since),
          limit: input.page_size,
        };
        return pollInboxTasks(db, agentId, query, wait, signal);
      }),
  );

  server.registerTool(
    "ack",
    { description: "Mark a message you received as read.", inputSchema: taskId },
    ({ task_id }) => answer(bound, () => ({ task: ackTask(db, action(task_id)) })),
  );

  server.registerTool(
    "cancel",
    { description: "Retract an unread message you sent.", inputSchema: taskId },
    ({ task_id }) => answer(bound, () => ({ task: cancelTask(db, action(task_id)) })),
  );

  server.registerTool(
    "get_task",
    {
      description: "One task of the session, with its delivery times and reply thread.",
      inputSchema: taskId,
    },
    ({ task_id }) =>
      answer(bound, () => {
        const task = getTask(db, action(task_id));
        return taskDetailJson(task, readDelivery(db, task.id), readThread(db, task.id));
      }),
  );
}

/** What a Director can do without a terminal: look at its members. Spawning needs a tmux pane. */
export function registerMemberTools(server: McpServer, bound: Bound): RegisteredTool[] {
  const { db, env, sessionId, agentId } = bound;
  return [
    server.registerTool("member_list", { description: "Your members and their status." }, () =>
      answer(bound, () => {
        requireAgentInSession(db, sessionId, agentId);
        return readMemberList(db, env, sessionId, agentId);
      }),
    ),
    server.registerTool(
      "member_capture",
      {
        description: "The last lines of a member's pane (default 80).",
        inputSchema: { member_id: z.string(), lines: z.number().int().optional() },
      },
      ({ member_id, lines }) =>
        answer(bound, () => {
          const member = requireTeamMember(db, {
            sessionId,
            directorId: agentId,
            memberId: member_id,
            action: "interact",
          });
          return captureMember(db, member, lines ?? DEFAULT_CAPTURE_LINES);
        }),
    ),
  ];
}
