import { afterEach, describe, expect, it, setDefaultTimeout } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../../src/broker/agents.ts";
import { openDatabase } from "../../src/broker/db.ts";
import { createSession } from "../../src/broker/sessions.ts";
import type { Task } from "../../src/broker/tasks.ts";
import { BINARY, runCafleet } from "../support/cli.ts";
import { ModelServer, mcpTool, type Reply, type Turn, text, toolSearch } from "../support/model-server.ts";
import { ReplPane } from "../support/repl-pane.ts";
import {
  CLAUDE_BIN,
  claudeLaunch,
  codexLaunch,
  ensureRepls,
  REPLS_DIR,
  type ReplLaunch,
  type ReplOptions,
} from "../support/repls.ts";

/**
 * The real Claude Code 2.1.328 and Codex 0.169.0 with cafleet as an MCP server, added the ways
 * the README shows (`claude mcp add`; a `[mcp_servers.cafleet]` block in Codex's config.toml),
 * driven by the scripted model to read the agent's mail with the `poll` tool and `ack` it: the
 * message ends acked in the database.
 */

// A cold install takes ~20 s; each REPL then needs a few seconds to start and four model turns.
setDefaultTimeout(120_000);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

type World = {
  server: ModelServer;
  options: ReplOptions;
  env: Record<string, string>;
  databaseUrl: string;
  sessionId: string;
  agentId: string;
  senderId: string;
};

/** A model server, a HOME (outside /tmp: Codex refuses its helpers there), a project and a team. */
function setup(): World {
  ensureRepls();
  const server = new ModelServer().start();
  mkdirSync(join(REPLS_DIR, "homes"), { recursive: true });
  const home = mkdtempSync(join(REPLS_DIR, "homes", "mcp-"));
  const cwd = mkdtempSync("/tmp/cafleet-repl-mcp-");
  cleanups.push(() => {
    server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });
  const databaseUrl = `sqlite:///${join(home, "cafleet.db")}`;
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, CAFLEET_DATABASE_URL: databaseUrl };
  const { db } = openDatabase(env);
  const session = createSession(db, "mcp", { session: "main", windowId: "@1", paneId: "%1" });
  const register = (name: string) =>
    registerAgent(db, { sessionId: session.session_id, name, description: `${name} agent`, skills: [] })
      .agent_id;
  const agentId = register("editor");
  const senderId = register("lead");
  db.close();
  const options: ReplOptions = {
    home,
    cwd,
    modelUrl: server.url,
    allow: ["mcp__cafleet__poll", "mcp__cafleet__ack"],
  };
  return { server, options, env, databaseUrl, sessionId: session.session_id, agentId, senderId };
}

function cli(world: World, args: string[]) {
  const result = runCafleet(["--json", "--session-id", world.sessionId, ...args], world.env);
  if (result.exitCode !== 0) throw new Error(`cafleet ${args.join(" ")}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The argv of `cafleet mcp` for the world's agent, as a user would put it in the config. */
function mcpCommand(world: World): string[] {
  return [BINARY, "mcp", "--session-id", world.sessionId, "--agent-id", world.agentId];
}

/** Runs `argv` (a REPL's `mcp add`) in the project with the REPL's own environment. */
function mcpAdd(launch: ReplLaunch, cwd: string, argv: string[]): void {
  const result = Bun.spawnSync(argv, { cwd, env: launch.env, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stderr.toString()}`);
}

/** The task id of the first unread task in a poll result (the tool output the model received). */
function unreadTaskId(toolResult: string | undefined): string | undefined {
  const start = toolResult?.indexOf("[") ?? -1;
  if (start < 0) return undefined;
  try {
    const tasks = JSON.parse(toolResult!.slice(start, toolResult!.lastIndexOf("]") + 1)) as Task[];
    return tasks.find((task) => task.status.state === "input_required")?.id;
  } catch {
    return undefined;
  }
}

/** After the poll's result: ack the task it returned; after the ack's result: say so. */
function ackThePolledTask(sawPoll: (turn: Turn) => void) {
  return (turn: Turn): Reply => {
    const taskId = unreadTaskId(turn.toolResult);
    if (taskId) {
      sawPoll(turn);
      return mcpTool("cafleet", "ack", { task_id: taskId });
    }
    return text("mail handled");
  };
}

const cases = [
  {
    name: "Claude Code",
    launch: claudeLaunch,
    // `claude mcp add` with the REPL's own HOME and project, as the README tells a user to.
    configure: (world: World, launch: ReplLaunch) =>
      mcpAdd(launch, world.options.cwd, [
        CLAUDE_BIN,
        "mcp",
        "add",
        "cafleet",
        "-e",
        `CAFLEET_DATABASE_URL=${world.databaseUrl}`,
        "--",
        ...mcpCommand(world),
      ]),
    // Claude Code defers MCP tools: their schemas are loaded with ToolSearch before a call.
    first: [toolSearch("select:mcp__cafleet__poll,mcp__cafleet__ack")],
  },
  {
    name: "Codex CLI",
    launch: codexLaunch,
    // The README's config.toml block, appended to the harness's config (tools approved up front).
    configure: (world: World) =>
      appendFileSync(
        join(world.options.home, ".codex", "config.toml"),
        [
          "",
          "[mcp_servers.cafleet]",
          `command = ${JSON.stringify(BINARY)}`,
          `args = ${JSON.stringify(mcpCommand(world).slice(1))}`,
          `env = { CAFLEET_DATABASE_URL = ${JSON.stringify(world.databaseUrl)} }`,
          `default_tools_approval_mode = "approve"`,
          "",
        ].join("\n"),
      ),
    first: [],
  },
];

describe("real REPLs with cafleet as their MCP server", () => {
  for (const { name, launch, configure, first } of cases) {
    it(`${name} reads the agent's mail with the poll tool and acks it`, async () => {
      const world = setup();
      const message = cli(world, [
        "send",
        "--agent-id",
        world.senderId,
        "--to",
        world.agentId,
        "--text",
        "Please review PR 42",
      ]).task as Task;
      let pollResult: string | undefined;
      world.server
        .script(...first, mcpTool("cafleet", "poll", { mode: "new" }))
        .respond(ackThePolledTask((turn) => (pollResult = turn.toolResult)));
      const replLaunch = launch(world.options);
      configure(world, replLaunch);
      const pane = ReplPane.start(replLaunch, world.options.cwd);
      cleanups.push(() => pane.kill());
      await pane.waitForScreen(/\? for shortcuts/, 30_000);

      await pane.submit("read your cafleet mail", 400);
      await world.server.waitForTurn((turn) => turn.toolResult?.includes('"completed"') === true, 60_000);
      expect(pollResult).toContain("Please review PR 42");
      expect(pollResult).toContain(message.id);
      const stored = cli(world, ["get-task", "--agent-id", world.senderId, "--task-id", message.id]);
      expect(stored.task.status.state).toBe("completed");
      expect(stored.delivery.fetched_at).not.toBeNull();
      await pane.waitForScreen(/mail handled/, 30_000);
    });
  }
});
