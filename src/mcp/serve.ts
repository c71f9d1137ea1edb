import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { version } from "../../package.json" with { type: "json" };
import {
  deregisterAgent,
  getActiveAgent,
  isRootDirector,
  listMembers,
  registerAgent,
  requireAgentInSession,
} from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { countUnseen, newestUnreadRow } from "../broker/unseen.ts";
import { dataVersion, WATCH_INTERVAL_MS } from "../broker/watch.ts";
import { messageOf } from "../errors.ts";
import { writeStderr } from "../output.ts";
import { announceArrival, CHANNEL_CAPABILITY, INBOX_URI, type Subscriptions } from "./arrivals.ts";
import { type Bound, registerAgentTools, registerMemberTools } from "./tools.ts";

/**
 * `cafleet mcp`: one agent of one session, served over stdio until the client closes stdin or
 * the process is told to stop. stdout carries only the protocol; diagnostics go to stderr.
 */

export type McpIdentity = { agentId: string } | { register: { name: string; description: string } };

/** A Director: the session's root Director, or an agent that has members. */
function isDirector(bound: Bound): boolean {
  return (
    isRootDirector(bound.db, bound.agentId) ||
    listMembers(bound.db, bound.sessionId, bound.agentId).length > 0
  );
}

function instructions(bound: Bound, name: string): string {
  return `You are ${name} (agent ${bound.agentId}) in cafleet session ${bound.sessionId}. Read mail with poll (mode "new"), ack each message you handled, answer with send (reply_to the task id).`;
}

type Watcher = { start: (onArrival: () => void, onChange: () => void) => void; stop: () => void };

/**
 * Watches the database while the server runs: on each commit by another process, the bound
 * agent's newest unread delivery is compared with the last one seen, and a newer one is
 * announced; `onChange` re-reads what else may have changed (is the agent a Director now?). The
 * baseline is read when the watcher is made, before anything it guards, and the checks start
 * once the client is initialized: a commit in between is still seen as a change.
 */
function watchDatabase(bound: Bound): Watcher {
  let version = dataVersion(bound.db);
  let newest = newestUnreadRow(bound.db, bound.agentId);
  let timer: Timer | undefined;
  const check = (onArrival: () => void, onChange: () => void) => {
    const current = dataVersion(bound.db);
    if (current === version) return;
    version = current;
    onChange();
    const row = newestUnreadRow(bound.db, bound.agentId);
    if (row <= newest) return;
    newest = row;
    onArrival();
  };
  return {
    start: (onArrival, onChange) => {
      // A timer's exception would end the server: a locked or failing database is reported, and
      // the next tick tries again.
      timer = setInterval(() => {
        try {
          check(onArrival, onChange);
        } catch (error) {
          writeStderr(`cafleet mcp: watching the database failed: ${messageOf(error)}\n`);
        }
      }, WATCH_INTERVAL_MS);
    },
    stop: () => clearInterval(timer),
  };
}

/** Resolves when stdin ends (the client went away) or on SIGINT/SIGTERM. */
function untilClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

export async function serveMcp(input: {
  env: Record<string, string | undefined>;
  sessionId: string;
  identity: McpIdentity;
}): Promise<void> {
  const { env, sessionId, identity } = input;
  const { db, path } = openDatabase(env);
  let agentId: string;
  if ("agentId" in identity) {
    agentId = identity.agentId;
    requireAgentInSession(db, sessionId, agentId);
  } else {
    agentId = registerAgent(db, { sessionId, ...identity.register, skills: [] }).agent_id;
    await writeStderr(`cafleet mcp: registered ${identity.register.name} as ${agentId}\n`);
  }
  const closing = new AbortController();
  const bound: Bound = { db, dbPath: path, env, sessionId, agentId, closing: closing.signal };
  const watcher = watchDatabase(bound);
  const name = getActiveAgent(db, sessionId, agentId).name;

  const server = new McpServer(
    { name: "cafleet", version },
    {
      capabilities: {
        logging: {},
        resources: { subscribe: true },
        experimental: { [CHANNEL_CAPABILITY]: {} },
      },
      instructions: instructions(bound, name),
    },
  );
  registerAgentTools(server, bound);
  const memberTools = registerMemberTools(server, bound);
  if (!isDirector(bound)) for (const tool of memberTools) tool.disable();

  const subscriptions: Subscriptions = new Set();
  server.registerResource(
    "inbox",
    INBOX_URI,
    {
      description: "Your unread and new counts; subscribe to hear of new mail.",
      mimeType: "application/json",
    },
    (uri) => ({
      contents: [
        { uri: uri.href, mimeType: "application/json", text: JSON.stringify(countUnseen(db, agentId)) },
      ],
    }),
  );
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });

  server.server.oninitialized = () =>
    watcher.start(
      () => {
        announceArrival(server, subscriptions, countUnseen(db, agentId)).catch((error) =>
          writeStderr(`cafleet mcp: notification failed: ${messageOf(error)}\n`),
        );
      },
      () => {
        if (memberTools.some((tool) => !tool.enabled) && isDirector(bound))
          for (const tool of memberTools) tool.enable();
      },
    );

  const closed = untilClosed();
  await server.connect(new StdioServerTransport());
  await closed;
  watcher.stop();
  closing.abort();
  await server.close();
  // An agent that joined with --register leaves with its client.
  if ("register" in identity) deregisterAgent(db, agentId);
}
