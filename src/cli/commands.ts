import type { CommandSpec, GroupSpec, OptionSpec } from "./spec.ts";

/** The whole command surface. Each command's module is imported only when that command runs. */

const agentId: OptionSpec = {
  flag: "--agent-id",
  value: "string",
  metavar: "TEXT",
  required: true,
  help: "Your agent id.",
};
const taskId: OptionSpec = {
  flag: "--task-id",
  value: "string",
  metavar: "TEXT",
  required: true,
  help: "Task id.",
};
const memberId: OptionSpec = {
  flag: "--member-id",
  value: "string",
  metavar: "TEXT",
  required: true,
  help: "The member's agent id.",
};
const localJson: OptionSpec = { flag: "--json", help: "Print JSON." };
const model: OptionSpec = {
  flag: "--model",
  value: "string",
  metavar: "NAME",
  help: "The model the coding agent runs (its own --model flag); default: the agent's own choice.",
};
const alertWaiting: OptionSpec = {
  flag: "--alert-waiting",
  value: "non-negative-int",
  metavar: "SECONDS",
  help: "Tell the Director once when the member waits at a question or permission prompt this long (default 120).",
};
const alertStalled: OptionSpec = {
  flag: "--alert-stalled",
  value: "non-negative-int",
  metavar: "SECONDS",
  help: "Tell the Director once when the member shows the same working screen this long (default 600).",
};
const installSkills: OptionSpec = {
  flag: "--install-skills",
  help: "First install the embedded skills into the user's skills folder (as 'cafleet skills install').",
};

export const GROUPS: GroupSpec[] = [
  {
    name: "db",
    summary: "Manage the database schema.",
    commands: [
      {
        name: "init",
        summary: "Create the database or bring its schema to head.",
        options: [],
        needsSession: false,
        load: () => import("./db.ts").then((m) => m.dbInit),
      },
    ],
  },
  {
    name: "session",
    summary: "Create, list, show and delete sessions.",
    commands: [
      {
        name: "create",
        summary: "Create a session; the calling tmux pane becomes its root Director.",
        options: [
          { flag: "--label", value: "string", metavar: "TEXT", help: "A label for the session." },
          localJson,
        ],
        needsSession: false,
        load: () => import("./session.ts").then((m) => m.sessionCreate),
      },
      {
        name: "list",
        summary: "List live sessions.",
        options: [localJson],
        needsSession: false,
        load: () => import("./session.ts").then((m) => m.sessionList),
      },
      {
        name: "show",
        summary: "Show one session, deleted or not.",
        options: [localJson],
        positional: { name: "SESSION_ID", arity: "one" },
        needsSession: false,
        load: () => import("./session.ts").then((m) => m.sessionShow),
      },
      {
        name: "delete",
        summary: "Soft-delete a session and deregister its agents.",
        options: [],
        positional: { name: "SESSION_ID", arity: "one" },
        needsSession: false,
        load: () => import("./session.ts").then((m) => m.sessionDelete),
      },
    ],
  },
  {
    name: "member",
    summary: "Spawn and manage member agents in tmux panes.",
    commands: [
      {
        name: "create",
        summary: "Register a member and spawn its coding agent in a new pane.",
        options: [
          { ...agentId, help: "The Director's agent id." },
          { flag: "--name", value: "string", metavar: "TEXT", required: true, help: "The member's name." },
          {
            flag: "--description",
            value: "string",
            metavar: "TEXT",
            required: true,
            help: "What the member does.",
          },
          {
            flag: "--coding-agent",
            value: "string",
            metavar: "[claude|codex|opencode|gemini]",
            choices: ["claude", "codex", "opencode", "gemini"],
            help: "Which coding agent to spawn (default claude).",
          },
          model,
          alertWaiting,
          alertStalled,
          installSkills,
        ],
        positional: { name: "PROMPT", arity: "many" },
        needsSession: true,
        load: () => import("./member.ts").then((m) => m.memberCreate),
      },
      {
        name: "delete",
        summary: "Stop a member's pane (/exit, or kill with --force) and deregister it.",
        options: [
          { ...agentId, help: "The Director's agent id." },
          memberId,
          { flag: "--force", short: "-f", help: "Kill the pane instead of sending /exit." },
        ],
        needsSession: true,
        load: () => import("./member.ts").then((m) => m.memberDelete),
      },
      {
        name: "list",
        summary: "List the members of a Director.",
        options: [
          { ...agentId, help: "The Director's agent id." },
          {
            flag: "--wide",
            help: "Add each member's live state, unread and held counts, last activity and model.",
          },
        ],
        needsSession: true,
        load: () => import("./member.ts").then((m) => m.memberList),
      },
      {
        name: "capture",
        summary: "Print the last lines of a member's pane.",
        options: [
          { ...agentId, help: "The Director's agent id." },
          memberId,
          { flag: "--lines", value: "int", metavar: "INTEGER", help: "How many lines (default 80)." },
        ],
        needsSession: true,
        load: () => import("./member.ts").then((m) => m.memberCapture),
      },
      {
        name: "send-input",
        summary: "Answer a member's prompt with a choice or free text.",
        options: [
          { ...agentId, help: "The Director's agent id." },
          memberId,
          {
            flag: "--choice",
            value: "int",
            metavar: "INTEGER RANGE",
            range: [1, 3],
            help: "Option 1, 2 or 3.",
          },
          { flag: "--freetext", value: "string", metavar: "TEXT", help: "Free text (one line)." },
        ],
        needsSession: true,
        load: () => import("./member.ts").then((m) => m.memberSendInput),
      },
      {
        name: "respawn",
        summary: "Restart a member whose pane is gone, same agent id and inbox, in a new pane.",
        options: [{ ...agentId, help: "The Director's agent id." }, memberId, model, installSkills],
        needsSession: true,
        load: () => import("./member-respawn.ts").then((m) => m.memberRespawn),
      },
    ],
  },
  {
    name: "skills",
    summary: "Install the agent skills embedded in this binary.",
    commands: [
      {
        name: "install",
        summary: "Write the embedded skills into a folder (default ~/.claude/skills).",
        options: [{ flag: "--dir", value: "string", metavar: "DIR", help: "Target folder." }],
        needsSession: false,
        load: () => import("./skills.ts").then((m) => m.skillsInstall),
      },
    ],
  },
];

export const COMMANDS: CommandSpec[] = [
  {
    name: "server",
    summary: "Serve the web timeline and its API (--host, --port).",
    options: [
      { flag: "--host", value: "string", metavar: "TEXT", help: "Bind address (default 127.0.0.1)." },
      { flag: "--port", value: "int", metavar: "INTEGER", help: "Bind port (default 8000)." },
    ],
    needsSession: false,
    load: () => import("./server-loader.ts").then((m) => m.serve),
  },
  {
    name: "mcp",
    summary: "Serve MCP over stdio as one agent (--agent-id, or --register --name --description).",
    options: [
      {
        flag: "--session-id",
        value: "string",
        metavar: "TEXT",
        help: "The session (may also go before 'mcp').",
      },
      {
        flag: "--agent-id",
        value: "string",
        metavar: "TEXT",
        conflicts: ["--register"],
        help: "Serve as this agent.",
      },
      { flag: "--register", help: "Join as a new agent; it is deregistered when the client disconnects." },
      { flag: "--name", value: "string", metavar: "TEXT", help: "The new agent's name (with --register)." },
      {
        flag: "--description",
        value: "string",
        metavar: "TEXT",
        help: "What the new agent does (with --register).",
      },
    ],
    needsSession: false,
    load: () => import("./mcp.ts").then((m) => m.mcp),
  },
  {
    name: "version",
    summary: "Print the version, the SQLite version and the build target.",
    options: [localJson],
    needsSession: false,
    load: () => import("./version.ts").then((m) => m.versionCommand),
  },
  {
    name: "doctor",
    summary: "Print the calling pane's tmux identifiers and where the cafleet skill is installed.",
    options: [],
    needsSession: false,
    load: () => import("./doctor.ts").then((m) => m.doctor),
  },
  {
    name: "register",
    summary: "Register an agent in the session.",
    options: [
      { flag: "--name", value: "string", metavar: "TEXT", required: true, help: "Agent name." },
      {
        flag: "--description",
        value: "string",
        metavar: "TEXT",
        required: true,
        help: "What the agent does.",
      },
      { flag: "--skills", value: "string", metavar: "TEXT", help: "Skills as a JSON list." },
    ],
    needsSession: true,
    load: () => import("./agent.ts").then((m) => m.register),
  },
  {
    name: "send",
    summary: "Send a unicast message to another agent.",
    options: [
      agentId,
      { flag: "--to", value: "string", metavar: "TEXT", required: true, help: "Recipient agent id." },
      { flag: "--text", value: "string", metavar: "TEXT", required: true, help: "Message text." },
      {
        flag: "--reply-to",
        value: "string",
        metavar: "TEXT",
        help: "Thread this message under a task of the session.",
      },
    ],
    needsSession: true,
    load: () => import("./message.ts").then((m) => m.send),
  },
  {
    name: "broadcast",
    summary: "Send a message to every other agent of the session.",
    options: [
      agentId,
      { flag: "--text", value: "string", metavar: "TEXT", required: true, help: "Message text." },
    ],
    needsSession: true,
    load: () => import("./message.ts").then((m) => m.broadcast),
  },
  {
    name: "poll",
    summary:
      "List your inbox, newest first (--since, --page-size, --wait), or only what is new (--new, --unread, --count).",
    options: [
      agentId,
      { flag: "--since", value: "string", metavar: "TEXT", help: "Only tasks changed after this timestamp." },
      {
        flag: "--page-size",
        value: "non-negative-int",
        metavar: "INTEGER",
        help: "At most this many tasks.",
      },
      {
        flag: "--wait",
        value: "non-negative-number",
        metavar: "SECONDS",
        help: "Block until an unread message arrives or SECONDS pass.",
      },
      {
        flag: "--new",
        conflicts: ["--unread", "--count", "--since", "--page-size"],
        help: "Only what no poll has shown you yet: new messages, retractions of ones you saw.",
      },
      {
        flag: "--unread",
        conflicts: ["--count", "--since", "--page-size"],
        help: "Only unread messages, shown before or not, oldest first.",
      },
      {
        flag: "--count",
        conflicts: ["--since", "--page-size", "--wait"],
        help: "One line: how many unread, how many new. Marks nothing as seen.",
      },
    ],
    needsSession: true,
    load: () => import("./poll.ts").then((m) => m.poll),
  },
  {
    name: "ack",
    summary: "Acknowledge a message you received.",
    options: [agentId, taskId],
    needsSession: true,
    load: () => import("./message.ts").then((m) => m.ack),
  },
  {
    name: "cancel",
    summary: "Retract an unread message you sent.",
    options: [agentId, taskId],
    needsSession: true,
    load: () => import("./message.ts").then((m) => m.cancel),
  },
  {
    name: "get-task",
    summary: "Show one task.",
    options: [agentId, taskId],
    needsSession: true,
    load: () => import("./message.ts").then((m) => m.getTaskCommand),
  },
  {
    name: "agents",
    summary: "List the session's active agents, or show one with --id.",
    options: [agentId, { flag: "--id", value: "string", metavar: "TEXT", help: "Show this agent." }],
    needsSession: true,
    load: () => import("./agent.ts").then((m) => m.agents),
  },
  {
    name: "deregister",
    summary: "Deregister an agent.",
    options: [agentId],
    needsSession: true,
    load: () => import("./agent.ts").then((m) => m.deregister),
  },
];
