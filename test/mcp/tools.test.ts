import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { countTokens } from "gpt-tokenizer";
import type { Task } from "../../src/broker/tasks.ts";
import { runCafleet } from "../support/cli.ts";
import { McpSession, mcpWorld } from "./support.ts";

/** Every tool of `cafleet mcp`, driven over stdio by the SDK's Client against the compiled binary. */

const AGENT_TOOLS = ["ack", "agents", "broadcast", "cancel", "get_task", "poll", "send", "whoami"];
/** What a client's model reads of the tool list (names, descriptions, schemas), in o200k tokens. */
const TOOL_LIST_TOKEN_BUDGET = 800;

let world: ReturnType<typeof mcpWorld>;
let alice: string;
let bob: string;
let carol: string;
let mcp: McpSession;
let S: string;

/** `cafleet --json --session-id S <args>`'s stdout, exactly as printed. */
function cliJsonText(args: string[]): string {
  const result = world.cli(["--json", "--session-id", S, ...args]);
  expect(result.stderr).toBe("");
  return result.stdout;
}

/** `cafleet send` from the CLI, in the bound session unless `session` names another. */
function cliSend(from: string, to: string, text: string, session = S): Task {
  return world.json<{ task: Task }>([
    "--session-id",
    session,
    "send",
    "--agent-id",
    from,
    "--to",
    to,
    "--text",
    text,
  ]).task;
}

beforeAll(async () => {
  world = mcpWorld("tools");
  S = world.session.sessionId;
  alice = world.register(S, "alice");
  bob = world.register(S, "bob");
  carol = world.register(world.other.sessionId, "carol");
  mcp = await McpSession.start(world.env, ["--session-id", S, "--agent-id", alice]);
});

afterAll(async () => {
  await mcp.close();
  world.cleanup();
});

describe("the tool list", () => {
  it("has the agent tools, and no member tools for an agent that leads no one", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(AGENT_TOOLS);
  });

  it("gives the session's root Director the member tools too, within the token budget", async () => {
    const director = await McpSession.start(world.env, [
      "--session-id",
      S,
      "--agent-id",
      world.session.directorId,
    ]);
    const { tools } = await director.client.listTools();
    await director.close();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [...AGENT_TOOLS, "member_capture", "member_list"].sort(),
    );
    const tokens = countTokens(JSON.stringify(tools));
    expect(tokens).toBeLessThanOrEqual(TOOL_LIST_TOKEN_BUDGET);
  });

  it("types every input: a wrong type is a tool error naming the argument", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["agents", { id: 7 }, "id"],
      ["send", { to: bob }, "text"],
      ["broadcast", { text: 1 }, "text"],
      ["poll", { page_size: -1 }, "page_size"],
      ["poll", { mode: "all" }, "mode"],
      ["poll", { wait_seconds: "5" }, "wait_seconds"],
      ["ack", {}, "task_id"],
      ["cancel", { task_id: 1 }, "task_id"],
      ["get_task", { task_id: null }, "task_id"],
    ];
    for (const [tool, args, field] of cases) {
      const result = await mcp.call(tool, args);
      expect([tool, result.isError]).toEqual([tool, true]);
      expect(result.text).toContain(`Input validation error: Invalid arguments for tool ${tool}`);
      expect(result.text).toContain(field);
    }
  });
});

describe("whoami and agents", () => {
  it("whoami is the session id and the agent as `agents --id` shows it", async () => {
    const { json } = await mcp.call("whoami");
    expect(json).toEqual({
      session_id: S,
      ...JSON.parse(cliJsonText(["agents", "--agent-id", alice, "--id", alice])),
    });
  });

  it("agents prints what `agents --json` prints, byte for byte", async () => {
    expect((await mcp.call("agents")).text).toBe(cliJsonText(["agents", "--agent-id", alice]));
    expect((await mcp.call("agents", { id: bob })).text).toBe(
      cliJsonText(["agents", "--agent-id", alice, "--id", bob]),
    );
  });

  it("does not show an agent of another session", async () => {
    expect(await mcp.call("agents", { id: carol })).toMatchObject({
      isError: true,
      text: `Agent ${carol} not found`,
    });
  });
});

describe("send and broadcast", () => {
  it("sends as the bound agent, with the JSON of `send --json`", async () => {
    const text = "Review PR 42\nline two — 日本語";
    const { json } = await mcp.call("send", { to: bob, text });
    expect(Object.keys(json)).toEqual(["task", "notification_sent"]);
    expect(json.notification_sent).toBe(false);
    expect(json.task.metadata).toEqual({ fromAgentId: alice, toAgentId: bob, type: "unicast" });
    expect(json.task.artifacts[0].parts[0].text).toBe(text);
    const inbox = JSON.parse(cliJsonText(["poll", "--agent-id", bob])) as Task[];
    expect(inbox.map((task) => task.id)).toContain(json.task.id);
  });

  it("threads a reply under a task of the session", async () => {
    const question = cliSend(bob, alice, "which branch?");
    const { json } = await mcp.call("send", { to: bob, text: "main", reply_to: question.id });
    const detail = JSON.parse(cliJsonText(["get-task", "--agent-id", bob, "--task-id", json.task.id]));
    expect(detail.thread.map((entry: { task_id: string }) => entry.task_id)).toEqual([
      question.id,
      json.task.id,
    ]);
  });

  it("refuses what `send` refuses, with its messages", async () => {
    const missing = crypto.randomUUID();
    const cases: [Record<string, unknown>, string][] = [
      [{ to: "bob", text: "x" }, "Invalid destination format: bob"],
      [{ to: carol, text: "x" }, `Destination agent not in session: ${carol}`],
      [{ to: missing, text: "x" }, `Destination agent not found: ${missing}`],
      [{ to: bob, text: "x", reply_to: missing }, `Task ${missing} not found`],
    ];
    for (const [args, message] of cases)
      expect(await mcp.call("send", args)).toMatchObject({ isError: true, text: message });
  });

  it("broadcasts to every other agent but the Administrator, with the JSON of `broadcast --json`", async () => {
    const { json } = await mcp.call("broadcast", { text: "standup" });
    expect(json).toHaveLength(1);
    expect(Object.keys(json[0])).toEqual(["task", "notifications_sent_count"]);
    const { task } = json[0];
    expect(task.metadata.recipientIds.sort()).toEqual([world.session.directorId, bob].sort());
    expect(task.metadata.notificationsSentCount).toBe(0);
    expect(task.artifacts[0].parts[0].text).toBe("Broadcast sent to 2 recipients");
  });
});

describe("a server whose agent was deregistered", () => {
  it("answers with the broker's refusals", async () => {
    const dave = world.register(S, "dave");
    const server = await McpSession.start(world.env, ["--session-id", S, "--agent-id", dave]);
    expect(world.cli(["--session-id", S, "deregister", "--agent-id", dave]).exitCode).toBe(0);
    expect(await server.call("whoami")).toMatchObject({ isError: true, text: `Agent ${dave} not found` });
    const refused = `Sender agent not found or not active in session: ${dave}`;
    expect(await server.call("broadcast", { text: "hi" })).toMatchObject({ isError: true, text: refused });
    expect(await server.call("send", { to: bob, text: "hi" })).toMatchObject({
      isError: true,
      text: refused,
    });
    await server.close();
  });
});

describe("poll", () => {
  it("prints what `poll --json` prints, with since and page_size too", async () => {
    const first = cliSend(bob, alice, "first");
    cliSend(bob, alice, "second");
    expect((await mcp.call("poll")).text).toBe(cliJsonText(["poll", "--agent-id", alice]));
    const args = { since: first.status.timestamp, page_size: 1 };
    expect((await mcp.call("poll", args)).text).toBe(
      cliJsonText(["poll", "--agent-id", alice, "--since", args.since, "--page-size", "1"]),
    );
  });

  it("mode new returns each new message once; unread and count as the CLI's --unread and --count", async () => {
    await mcp.call("poll", { mode: "new" });
    const sent = cliSend(bob, alice, "new one");
    const first = await mcp.call("poll", { mode: "new" });
    expect(first.json.map((task: Task) => task.id)).toEqual([sent.id]);
    expect((await mcp.call("poll", { mode: "new" })).json).toEqual([]);
    expect((await mcp.call("poll", { mode: "count" })).text).toBe(
      cliJsonText(["poll", "--agent-id", alice, "--count"]),
    );
    expect((await mcp.call("poll", { mode: "unread" })).text).toBe(
      cliJsonText(["poll", "--agent-id", alice, "--unread"]),
    );
  });

  it("refuses the combinations the CLI refuses", async () => {
    expect(await mcp.call("poll", { mode: "new", since: "2026" })).toMatchObject({
      isError: true,
      text: "mode 'new' cannot be used with 'since'.",
    });
    expect(await mcp.call("poll", { mode: "unread", page_size: 3 })).toMatchObject({
      isError: true,
      text: "mode 'unread' cannot be used with 'page_size'.",
    });
    expect(await mcp.call("poll", { mode: "count", wait_seconds: 1 })).toMatchObject({
      isError: true,
      text: "mode 'count' cannot be used with 'wait_seconds'.",
    });
  });
});

describe("ack, cancel, get_task", () => {
  it("acks a message of the bound agent, in the database", async () => {
    const task = cliSend(bob, alice, "ack me");
    const { json } = await mcp.call("ack", { task_id: task.id });
    expect(json.task.status.state).toBe("completed");
    const stored = JSON.parse(cliJsonText(["get-task", "--agent-id", bob, "--task-id", task.id]));
    expect(stored.task.status.state).toBe("completed");
    expect(stored.delivery.acked_at).toBe(json.task.status.timestamp);
  });

  it("refuses another agent's task, another session's task and a second ack", async () => {
    const mine = (await mcp.call("send", { to: bob, text: "for bob" })).json.task.id;
    const elsewhere = cliSend(carol, carol, "self", world.other.sessionId).id;
    const acked = cliSend(bob, alice, "twice");
    await mcp.call("ack", { task_id: acked.id });
    const cases: [string, string][] = [
      [mine, "Only the recipient can ACK a task"],
      [elsewhere, `Task ${elsewhere} not found`],
      [acked.id, "Cannot ACK task in state completed"],
    ];
    for (const [task_id, message] of cases)
      expect(await mcp.call("ack", { task_id })).toMatchObject({ isError: true, text: message });
  });

  it("cancels an unread message the bound agent sent, and only that", async () => {
    const mine = (await mcp.call("send", { to: bob, text: "oops" })).json.task.id;
    expect((await mcp.call("cancel", { task_id: mine })).json.task.status.state).toBe("canceled");
    const theirs = cliSend(bob, alice, "not yours to cancel");
    expect(await mcp.call("cancel", { task_id: theirs.id })).toMatchObject({
      isError: true,
      text: "Only the sender can cancel a task",
    });
    expect(await mcp.call("cancel", { task_id: mine })).toMatchObject({
      isError: true,
      text: "Cannot cancel task in state canceled",
    });
  });

  it("get_task prints what `get-task --json` prints, and nothing of another session", async () => {
    const task = cliSend(bob, alice, "look at me");
    expect((await mcp.call("get_task", { task_id: task.id })).text).toBe(
      cliJsonText(["get-task", "--agent-id", alice, "--task-id", task.id]),
    );
    const elsewhere = cliSend(carol, carol, "mine", world.other.sessionId).id;
    expect(await mcp.call("get_task", { task_id: elsewhere })).toMatchObject({
      isError: true,
      text: `Task ${elsewhere} not found`,
    });
  });
});

describe("cafleet mcp's start-up", () => {
  it("refuses an agent of another session before serving anything", () => {
    const result = runCafleet(["mcp", "--session-id", world.other.sessionId, "--agent-id", alice], world.env);
    expect(result).toEqual({
      stdout: "",
      stderr: `Error: Agent ${alice} not found in session ${world.other.sessionId}\n`,
      exitCode: 1,
    });
  });

  it("takes the session id before the command word too, and needs one identity", () => {
    expect(runCafleet(["--session-id", S, "mcp"], world.env)).toMatchObject({
      stderr: "Error: Must supply exactly one of --agent-id or --register.\n",
      exitCode: 2,
    });
    expect(runCafleet(["mcp", "--agent-id", alice], world.env)).toMatchObject({ exitCode: 1 });
    expect(runCafleet(["mcp", "--session-id", S, "--register", "--name", "x"], world.env)).toMatchObject({
      stderr: "Error: Missing option '--description'.\n",
      exitCode: 2,
    });
  });

  it("--register joins as a new agent and leaves when the client disconnects", async () => {
    const joined = await McpSession.start(world.env, [
      "--session-id",
      S,
      "--register",
      "--name",
      "editor",
      "--description",
      "An editor without a shell",
    ]);
    const { json } = await joined.call("whoami");
    expect(json).toMatchObject({
      session_id: S,
      name: "editor",
      description: "An editor without a shell",
      placement: null,
    });
    expect(joined.stderr()).toContain(`registered editor as ${json.agent_id}`);
    const listed = () =>
      (JSON.parse(cliJsonText(["agents", "--agent-id", alice])) as { agent_id: string }[]).map(
        (a) => a.agent_id,
      );
    expect(listed()).toContain(json.agent_id);
    await joined.close();
    const deadline = performance.now() + 3000;
    while (listed().includes(json.agent_id) && performance.now() < deadline) await Bun.sleep(20);
    expect(listed()).not.toContain(json.agent_id);
  });
});
