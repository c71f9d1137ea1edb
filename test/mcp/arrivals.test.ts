import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Task } from "../../src/broker/tasks.ts";
import { BINARY } from "../support/cli.ts";
import { definedOnly } from "../support/tmux.ts";
import { McpSession, mcpWorld } from "./support.ts";

/**
 * Mail reaching an MCP client without a pane: a blocking `poll` woken by a send from another
 * process, and the notifications the server sends on its own.
 */

/** cli.md §8.1: the task is returned within ~100 ms of its commit. */
const WAKE_BUDGET_MS = 100;

let world: ReturnType<typeof mcpWorld>;
let S: string;
let alice: string;
let bob: string;
let mcp: McpSession;

/** `send` from a separate process of the compiled binary. */
async function sendFromAnotherProcess(from: string, to: string, text: string): Promise<Task> {
  const proc = Bun.spawn(
    [BINARY, "--json", "--session-id", S, "send", "--agent-id", from, "--to", to, "--text", text],
    {
      env: definedOnly(world.env),
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(0);
  return (JSON.parse(stdout) as { task: Task }).task;
}

/** Milliseconds from a task's commit (its status timestamp, written in the commit) to `at`. */
const sinceCommit = (task: Task, at: number) => at - Date.parse(task.status.timestamp);

beforeAll(async () => {
  world = mcpWorld("arrivals");
  S = world.session.sessionId;
  alice = world.register(S, "alice");
  bob = world.register(S, "bob");
  mcp = await McpSession.start(world.env, ["--session-id", S, "--agent-id", alice]);
});

afterAll(async () => {
  await mcp.close();
  world.cleanup();
});

describe("a blocking poll", () => {
  for (const mode of [undefined, "new", "unread"] as const)
    it(`(${mode ?? "inbox"}) wakes within ${WAKE_BUDGET_MS} ms of a CLI send from another process`, async () => {
      // Nothing unread is left from before, so the inbox mode has to wait too.
      for (const task of (await mcp.call("poll", { mode: "unread" })).json as Task[])
        await mcp.call("ack", { task_id: task.id });
      const started = performance.now();
      // The result's arrival is stamped as it comes in, while the send's process may still run.
      const waiting = mcp
        .call("poll", mode === undefined ? { wait_seconds: 10 } : { mode, wait_seconds: 10 })
        .then((result) => ({ result, at: Date.now() }));
      await Bun.sleep(200);
      const sent = await sendFromAnotherProcess(bob, alice, `wake up (${mode ?? "inbox"})`);
      const { result, at } = await waiting;
      const latency = sinceCommit(sent, at);
      expect((result.json as Task[]).map((task) => task.id)).toContain(sent.id);
      expect(performance.now() - started).toBeGreaterThan(200);
      expect(latency).toBeLessThan(WAKE_BUDGET_MS);
      await mcp.call("ack", { task_id: sent.id });
    });

  it("returns what is there when the time is up", async () => {
    const started = performance.now();
    const { json } = await mcp.call("poll", { mode: "new", wait_seconds: 0.3 });
    expect(json).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("that the client cancels marks nothing as shown", async () => {
    await mcp.call("poll", { mode: "new" });
    const controller = new AbortController();
    const waiting = mcp.call("poll", { mode: "new", wait_seconds: 10 }, { signal: controller.signal });
    await Bun.sleep(100);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    const sent = await sendFromAnotherProcess(bob, alice, "after the cancel");
    await Bun.sleep(100);
    expect((await mcp.call("poll", { mode: "count" })).json).toMatchObject({ new: 1 });
    expect((await mcp.call("poll", { mode: "new" })).json.map((task: Task) => task.id)).toEqual([sent.id]);
  });
});

describe("the arrival notification", () => {
  it("is sent as a log message and a Claude Code channel event when mail arrives", async () => {
    const logsBefore = mcp.received("notifications/message").length;
    const channelBefore = mcp.received("notifications/claude/channel").length;
    const sent = await sendFromAnotherProcess(bob, alice, "ping");
    const logs = await mcp.waitForNotification("notifications/message", logsBefore + 1);
    const channel = await mcp.waitForNotification("notifications/claude/channel", channelBefore + 1);
    const log = logs.at(-1)!;
    expect(log.params).toMatchObject({ level: "info", logger: "cafleet" });
    const data = log.params!.data as { event: string; unread: number; new: number; text: string };
    expect(data.event).toBe("mail");
    expect(data.new).toBeGreaterThanOrEqual(1);
    expect(data.text).toContain('Call poll with mode "new"');
    expect(channel.at(-1)!.params).toMatchObject({ content: data.text, meta: { new: String(data.new) } });
    const arrived = mcp.notifications
      .filter((entry) => entry.notification.method === "notifications/message")
      .at(-1)!;
    expect(sinceCommit(sent, arrived.at)).toBeLessThan(WAKE_BUDGET_MS);
    await mcp.call("ack", { task_id: sent.id });
  });

  it("is not sent for mail to another agent, nor for an ack", async () => {
    const before = mcp.notifications.length;
    const other = await sendFromAnotherProcess(alice, bob, "for bob");
    world.cli(["--session-id", S, "ack", "--agent-id", bob, "--task-id", other.id]);
    await Bun.sleep(300);
    expect(mcp.notifications.slice(before)).toEqual([]);
  });

  it("updates cafleet://inbox for a client that subscribed to it", async () => {
    const { contents } = await mcp.client.readResource({ uri: "cafleet://inbox" });
    expect(JSON.parse((contents[0] as { text: string }).text)).toEqual(
      JSON.parse(world.cli(["--json", "--session-id", S, "poll", "--agent-id", alice, "--count"]).stdout),
    );
    expect(mcp.received("notifications/resources/updated")).toEqual([]);
    await mcp.client.subscribeResource({ uri: "cafleet://inbox" });
    await sendFromAnotherProcess(bob, alice, "subscribed");
    const updates = await mcp.waitForNotification("notifications/resources/updated");
    expect(updates.map((update) => update.params)).toEqual([{ uri: "cafleet://inbox" }]);
    await mcp.client.unsubscribeResource({ uri: "cafleet://inbox" });
  });
});
