import { SEARCH_LIMIT } from "../broker/search-limit.ts";
import { choice, command, flag, type Group, integer, required, seconds, text } from "./options.ts";

type ServerModule = typeof import("./server.ts");

/**
 * The whole command surface, declared for cac (src/cli/parse.ts). Each command's module is
 * imported only when that command runs; handlers type their options from the objects below.
 */

const agentId = required(text("--agent-id <id>", "Your agent id."));
const directorId = required(text("--agent-id <id>", "The Director's agent id."));
const taskId = required(text("--task-id <id>", "Task id."));
const memberId = required(text("--member-id <id>", "The member's agent id."));
const json = flag("--json", "Print JSON.");
const model = text(
  "--model <name>",
  "The model the coding agent runs (its own --model flag); default: the agent's own choice.",
);
const installSkills = flag(
  "--install-skills",
  "First install the embedded skills into the user's skills folder (as 'cafleet skills install').",
);

export const NO_OPTIONS = {};
export const SESSION_CREATE = { label: text("--label <label>", "A label for the session."), json };
export const JSON_ONLY = { json };
export const REGISTER = {
  name: required(text("--name <name>", "Agent name.")),
  description: required(text("--description <text>", "What the agent does.")),
  skills: text("--skills <json>", "Skills as a JSON list."),
};
export const SEND = {
  agentId,
  to: required(text("--to <id>", "Recipient agent id.")),
  text: required(text("--text <text>", "Message text.")),
  replyTo: text("--reply-to <task_id>", "Thread this message under a task of the session."),
};
export const BROADCAST = { agentId, text: required(text("--text <text>", "Message text.")) };
export const POLL = {
  agentId,
  since: text("--since <timestamp>", "Only tasks changed after this timestamp."),
  pageSize: integer("--page-size <n>", "At most this many tasks.", "non-negative"),
  wait: seconds("--wait <seconds>", "Block until an unread message arrives or SECONDS pass."),
  new: flag("--new", "Only what no poll has shown you yet: new messages, retractions of ones you saw.", [
    "--unread",
    "--count",
    "--since",
    "--page-size",
  ]),
  unread: flag("--unread", "Only unread messages, shown before or not, oldest first.", [
    "--count",
    "--since",
    "--page-size",
  ]),
  count: flag("--count", "One line: how many unread, how many new. Marks nothing as seen.", [
    "--since",
    "--page-size",
    "--wait",
  ]),
};
export const SEARCH = {
  agentId,
  query: required(text("--query <text>", "Words to find (the last one may be the start of a word).")),
  limit: integer("--limit <n>", `At most this many hits (default ${SEARCH_LIMIT.default}).`, [
    1,
    SEARCH_LIMIT.max,
  ]),
};
export const TASK_ACTION = { agentId, taskId };
export const AGENTS = { agentId, id: text("--id <id>", "Show this agent.") };
export const AGENT_ONLY = { agentId };
export const DIRECTOR_ONLY = { agentId: directorId };
export const MEMBER_LIST = {
  agentId: directorId,
  wide: flag("--wide", "Add each member's live state, unread and held counts, last activity and model."),
};
export const MEMBER_CREATE = {
  agentId: directorId,
  name: required(text("--name <name>", "The member's name.")),
  description: required(text("--description <text>", "What the member does.")),
  codingAgent: choice("--coding-agent <agent>", "Which coding agent to spawn (default claude).", [
    "claude",
    "codex",
    "opencode",
    "gemini",
  ]),
  model,
  alertWaiting: integer(
    "--alert-waiting <seconds>",
    "Tell the Director once when the member waits at a question or permission prompt this long (default 120).",
    "non-negative",
  ),
  alertStalled: integer(
    "--alert-stalled <seconds>",
    "Tell the Director once when the member shows the same working screen this long (default 600).",
    "non-negative",
  ),
  installSkills,
};
export const MEMBER_DELETE = {
  agentId: directorId,
  memberId,
  force: flag("-f, --force", "Kill the pane instead of sending /exit."),
};
export const MEMBER_CAPTURE = {
  agentId: directorId,
  memberId,
  lines: integer("--lines <n>", "How many lines (default 80)."),
};
export const MEMBER_SEND_INPUT = {
  agentId: directorId,
  memberId,
  choice: integer("--choice <n>", "Option 1, 2 or 3.", [1, 3]),
  freetext: text("--freetext <text>", "Free text (one line)."),
};
export const MEMBER_RESPAWN = { agentId: directorId, memberId, model, installSkills };
export const MCP = {
  sessionId: text("--session-id <id>", "The session (may also go before 'mcp')."),
  agentId: text("--agent-id <id>", "Serve as this agent."),
  register: flag("--register", "Join as a new agent; it is deregistered when the client disconnects.", [
    "--agent-id",
  ]),
  name: text("--name <name>", "The new agent's name (with --register)."),
  description: text("--description <text>", "What the new agent does (with --register)."),
};
export const SKILLS_INSTALL = { dir: text("--dir <dir>", "Target folder.") };
export const SERVER = {
  host: text("--host <host>", "Bind address (default 127.0.0.1)."),
  port: integer("--port <port>", "Bind port (default 8000)."),
};

const GROUPS = {
  db: {
    summary: "Manage the database schema.",
    commands: {
      init: command({
        summary: "Create the database or bring its schema to head.",
        options: NO_OPTIONS,
        run: () => import("./db.ts").then((m) => m.dbInit()),
      }),
    },
  },
  session: {
    summary: "Create, list, show and delete sessions.",
    commands: {
      create: command({
        summary: "Create a session; the calling tmux pane becomes its root Director.",
        options: SESSION_CREATE,
        run: (ctx) => import("./session.ts").then((m) => m.sessionCreate(ctx)),
      }),
      list: command({
        summary: "List live sessions.",
        options: JSON_ONLY,
        run: (ctx) => import("./session.ts").then((m) => m.sessionList(ctx)),
      }),
      show: command({
        summary: "Show one session, deleted or not.",
        options: JSON_ONLY,
        args: "<session_id>",
        run: (ctx) => import("./session.ts").then((m) => m.sessionShow(ctx)),
      }),
      delete: command({
        summary: "Soft-delete a session and deregister its agents.",
        options: NO_OPTIONS,
        args: "<session_id>",
        run: (ctx) => import("./session.ts").then((m) => m.sessionDelete(ctx)),
      }),
    },
  },
  member: {
    summary: "Spawn and manage member agents in tmux panes.",
    commands: {
      create: command({
        summary: "Register a member and spawn its coding agent in a new pane.",
        options: MEMBER_CREATE,
        args: "[...prompt]",
        needsSession: true,
        run: (ctx) => import("./member-create.ts").then((m) => m.memberCreate(ctx)),
      }),
      delete: command({
        summary: "Stop a member's pane (/exit, or kill with --force) and deregister it.",
        options: MEMBER_DELETE,
        needsSession: true,
        run: (ctx) => import("./member.ts").then((m) => m.memberDelete(ctx)),
      }),
      list: command({
        summary: "List the members of a Director.",
        options: MEMBER_LIST,
        needsSession: true,
        run: (ctx) => import("./member.ts").then((m) => m.memberList(ctx)),
      }),
      capture: command({
        summary: "Print the last lines of a member's pane.",
        options: MEMBER_CAPTURE,
        needsSession: true,
        run: (ctx) => import("./member.ts").then((m) => m.memberCapture(ctx)),
      }),
      "send-input": command({
        summary: "Answer a member's prompt with a choice or free text.",
        options: MEMBER_SEND_INPUT,
        needsSession: true,
        run: (ctx) => import("./member.ts").then((m) => m.memberSendInput(ctx)),
      }),
      respawn: command({
        summary: "Restart a member whose pane is gone, same agent id and inbox, in a new pane.",
        options: MEMBER_RESPAWN,
        needsSession: true,
        run: (ctx) => import("./member-respawn.ts").then((m) => m.memberRespawn(ctx)),
      }),
    },
  },
  skills: {
    summary: "Install the agent skills embedded in this binary.",
    commands: {
      install: command({
        summary: "Write the embedded skills into a folder (default ~/.claude/skills).",
        options: SKILLS_INSTALL,
        run: (ctx) => import("./skills.ts").then((m) => m.skillsInstall(ctx)),
      }),
    },
  },
} satisfies Record<string, Group>;

export const COMMANDS = {
  ...GROUPS,
  server: command({
    summary: "Serve the web timeline and its API (--host, --port).",
    options: SERVER,
    run: async (ctx) => {
      const { SERVER_MODULE } = await import("../embedded.ts");
      const server: ServerModule = await import(SERVER_MODULE);
      return server.serve(ctx);
    },
  }),
  mcp: command({
    summary: "Serve MCP over stdio as one agent (--agent-id, or --register --name --description).",
    options: MCP,
    run: (ctx) => import("./mcp.ts").then((m) => m.mcp(ctx)),
  }),
  version: command({
    summary: "Print the version, the SQLite version and the build target.",
    options: JSON_ONLY,
    run: (ctx) => import("./version.ts").then((m) => m.versionCommand(ctx)),
  }),
  doctor: command({
    summary: "Print the calling pane's tmux identifiers and where the cafleet skill is installed.",
    options: NO_OPTIONS,
    run: (ctx) => import("./doctor.ts").then((m) => m.doctor(ctx)),
  }),
  register: command({
    summary: "Register an agent in the session.",
    options: REGISTER,
    needsSession: true,
    run: (ctx) => import("./agent.ts").then((m) => m.register(ctx)),
  }),
  send: command({
    summary: "Send a unicast message to another agent.",
    options: SEND,
    needsSession: true,
    run: (ctx) => import("./message.ts").then((m) => m.send(ctx)),
  }),
  broadcast: command({
    summary: "Send a message to every other agent of the session.",
    options: BROADCAST,
    needsSession: true,
    run: (ctx) => import("./message.ts").then((m) => m.broadcast(ctx)),
  }),
  poll: command({
    summary:
      "List your inbox, newest first (--since, --page-size, --wait), or only what is new (--new, --unread, --count).",
    options: POLL,
    needsSession: true,
    run: (ctx) => import("./poll.ts").then((m) => m.poll(ctx)),
  }),
  search: command({
    summary: "Find messages of the session by their words, newest first, with snippets.",
    options: SEARCH,
    needsSession: true,
    run: (ctx) => import("./search.ts").then((m) => m.search(ctx)),
  }),
  ack: command({
    summary: "Acknowledge a message you received.",
    options: TASK_ACTION,
    needsSession: true,
    run: (ctx) => import("./message.ts").then((m) => m.ack(ctx)),
  }),
  cancel: command({
    summary: "Retract an unread message you sent.",
    options: TASK_ACTION,
    needsSession: true,
    run: (ctx) => import("./message.ts").then((m) => m.cancel(ctx)),
  }),
  "get-task": command({
    summary: "Show one task.",
    options: TASK_ACTION,
    needsSession: true,
    run: (ctx) => import("./message.ts").then((m) => m.getTaskCommand(ctx)),
  }),
  agents: command({
    summary: "List the session's active agents, or show one with --id.",
    options: AGENTS,
    needsSession: true,
    run: (ctx) => import("./agent.ts").then((m) => m.agents(ctx)),
  }),
  deregister: command({
    summary: "Deregister an agent.",
    options: AGENT_ONLY,
    needsSession: true,
    run: (ctx) => import("./agent.ts").then((m) => m.deregister(ctx)),
  }),
};
