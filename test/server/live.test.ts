import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { registerAgent } from "../../src/broker/agents.ts";
import { openConnection } from "../../src/broker/db.ts";
import { recordFetched, recordHeld, recordNudged } from "../../src/broker/delivery.ts";
import { createSession } from "../../src/broker/sessions.ts";
import { ackTask, sendUnicast } from "../../src/broker/tasks.ts";
import { LiveFeed } from "../../src/server/live.ts";
import type { Fleet } from "../../src/server/model.ts";
import type { Database } from "../../src/store/database.ts";
import { BINARY, isolatedEnv } from "../support/cli.ts";
import { eventsOf, readStream } from "./event-stream.ts";
import { errorBody, errorOf, type Fixture, makeFixture } from "./fixture.ts";

let fx: Fixture;
let other: Database;
beforeAll(async () => {
  fx = await makeFixture({ keepAliveMs: 300, watchIntervalMs: 50 });
  // Another process's connection: the feed must notice its commits.
  other = openConnection(fx.db.filename);
}, 60_000);
afterAll(() => {
  other.close();
  fx.cleanup();
}, 60_000);

type Change = {
  messages: { task_id: string; status: string; body: string; fetched_at: string | null }[];
  agents_changed: boolean;
};

function changes(text: string): Change[] {
  return eventsOf<Change>(text, "change");
}

describe("GET /ui/api/events", () => {
  it("needs a session_id query parameter naming an existing session", async () => {
    expect(await errorOf(await fx.request("/ui/api/events"))).toEqual({
      status: 400,
      body: errorBody("session_id query parameter required"),
    });
    expect(await errorOf(await fx.request("/ui/api/events?session_id=nope"))).toEqual({
      status: 404,
      body: errorBody("Session not found"),
    });
  });

  it("streams another connection's send, then its ack, as changed Message objects", async () => {
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    let taskId = "";
    setTimeout(() => {
      taskId = sendUnicast(other, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "from the CLI",
      }).id;
      setTimeout(() => ackTask(other, { sessionId: fx.sessionId, agentId: fx.reviewerId, taskId }), 200);
    }, 100);
    const text = await readStream(response, (seen) =>
      changes(seen).some((change) => change.messages.some((m) => m.status === "completed")),
    );
    expect(text).toStartWith("retry: 1000\n: connected\n\n");
    const events = changes(text);
    expect(events[0]!.agents_changed).toBe(false);
    expect(events[0]!.messages.map((m) => [m.task_id, m.status, m.body])).toEqual([
      [taskId, "input_required", "from the CLI"],
    ]);
    expect(events.at(-1)!.messages.find((m) => m.task_id === taskId)?.status).toBe("completed");
  });

  it("streams a delivery time that changes without a status change (the recipient's poll fetched it)", async () => {
    const task = sendUnicast(other, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: fx.reviewerId,
      text: "fetch me",
    });
    await Bun.sleep(100);
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    setTimeout(() => recordFetched(other, [task.id]), 100);
    const text = await readStream(response, (seen) =>
      changes(seen).some((change) =>
        change.messages.some((m) => m.task_id === task.id && m.fetched_at !== null),
      ),
    );
    const row = changes(text)
      .flatMap((change) => change.messages)
      .find((m) => m.task_id === task.id && m.fetched_at !== null);
    expect(row?.status).toBe("input_required");
    expect(row?.fetched_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it("streams a re-nudge's hold and its release, which change only held_at and last_nudged_at", async () => {
    const task = sendUnicast(other, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: fx.reviewerId,
      text: "held on the way",
    });
    recordNudged(other, [task.id]);
    await Bun.sleep(100);
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    setTimeout(() => recordHeld(other, [task.id], "permission prompt"), 100);
    setTimeout(() => recordNudged(other, [task.id]), 400);
    const rowsOf = (seen: string) =>
      changes(seen)
        .flatMap((change) => change.messages as unknown as Record<string, unknown>[])
        .filter((m) => m.task_id === task.id)
        .map((m) => [m.held_reason, m.nudge_count]);
    const text = await readStream(response, (seen) =>
      rowsOf(seen).some(([reason, count]) => reason === null && count === 2),
    );
    expect(rowsOf(text)).toEqual([
      ["permission prompt", 1],
      [null, 2],
    ]);
  });

  describe("a poll that waits seconds for the write lock (another process holds it)", () => {
    const LOCK_HELD_MS = 2300;

    /** Holds the write lock on `other` while the real binary's poll of the reviewer waits for it. */
    async function pollBehindLock(whileHeld: () => void): Promise<{ started: number; released: number }> {
      other.run("BEGIN IMMEDIATE");
      const started = Date.now();
      const poll = Bun.spawn([BINARY, "--session-id", fx.sessionId, "poll", "--agent-id", fx.reviewerId], {
        env: isolatedEnv(fx.dir) as Record<string, string>,
        stdout: "pipe",
        stderr: "pipe",
      });
      await Bun.sleep(LOCK_HELD_MS);
      whileHeld();
      const released = Date.now();
      other.run("COMMIT");
      expect({ exit: await poll.exited, stderr: await new Response(poll.stderr).text() }).toEqual({
        exit: 0,
        stderr: "",
      });
      return { started, released };
    }

    const send = (db: Database, text: string) =>
      sendUnicast(db, { sessionId: fx.sessionId, fromAgentId: fx.claudeId, toAgentId: fx.reviewerId, text })
        .id;
    const fetchedAt = (taskId: string) =>
      (fx.db.query("SELECT fetched_at FROM tasks WHERE task_id = ?").get(taskId) as { fetched_at: string })
        .fetched_at;

    it("stamps fetched_at once it holds the lock, not when it started waiting", async () => {
      const taskId = send(other, "read me behind a lock");
      const { started, released } = await pollBehindLock(() => {});
      const stamped = Date.parse(`${fetchedAt(taskId).slice(0, 23)}Z`);
      expect(stamped).toBeGreaterThanOrEqual(released - 5);
      expect(stamped - started).toBeGreaterThanOrEqual(LOCK_HELD_MS);
    });

    it("its fetched_at still reaches an open stream when a later write committed first", async () => {
      const taskId = send(other, "fetched after a long wait");
      await Bun.sleep(100);
      const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
      const streamed = readStream(
        response,
        (seen) =>
          changes(seen).some((change) => change.messages.some((m) => m.task_id === taskId && m.fetched_at)),
        LOCK_HELD_MS + 3000,
      );
      // The lock holder's own send commits first, moving the feed past the poll's start.
      await pollBehindLock(() => send(other, "written while the poll waits"));
      const fetched = changes(await streamed)
        .flatMap((change) => change.messages)
        .find((m) => m.task_id === taskId && m.fetched_at !== null);
      expect(fetched?.fetched_at).toBe(fetchedAt(taskId));
    });
  });

  it("flags agent changes and sends keep-alive comments", async () => {
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    setTimeout(
      () => registerAgent(other, { sessionId: fx.sessionId, name: "late", description: "d", skills: [] }),
      100,
    );
    const text = await readStream(
      response,
      (seen) => seen.includes(": keep-alive") && changes(seen).some((change) => change.agents_changed),
    );
    expect(changes(text).some((change) => change.agents_changed)).toBe(true);
    expect(text).toContain(": keep-alive\n\n");
  });

  it("watches the database only while a stream is open", async () => {
    const live = fx.app.decorator.live;
    expect(live.listening).toBe(false);
    const controller = new AbortController();
    const response = await fx.app.handle(
      new Request(`http://localhost/ui/api/events?session_id=${fx.sessionId}`, { signal: controller.signal }),
    );
    const reader = response.body!.getReader();
    await reader.read();
    expect(live.listening).toBe(true);
    await reader.cancel();
    expect(live.listening).toBe(false);
  });

  it("says nothing about another session's writes", async () => {
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    const otherSession = createSession(other, null, {
      session: "main",
      windowId: "@0",
      paneId: "%0",
    });
    other
      .query("UPDATE agent_placements SET tmux_pane_id = NULL WHERE agent_id = ?")
      .run(otherSession.director.agent_id);
    setTimeout(
      () =>
        sendUnicast(other, {
          sessionId: otherSession.session_id,
          fromAgentId: otherSession.administrator_agent_id,
          toAgentId: otherSession.director.agent_id,
          text: "elsewhere",
        }),
      100,
    );
    const text = await readStream(response, () => false, 800);
    expect(changes(text)).toEqual([]);
  });

  it("reads no fleet while no page listens, and stops with the last one", async () => {
    let reads = 0;
    const watchDb = openConnection(fx.db.filename);
    const feed = new LiveFeed(watchDb, 50, {
      read: async () => {
        reads++;
        return { agents: [] };
      },
      intervalMs: 30,
    });
    await Bun.sleep(200);
    expect(reads).toBe(0);
    const seen: Fleet[] = [];
    const leave = feed.subscribe(fx.sessionId, { change: () => {}, fleet: (fleet) => seen.push(fleet) });
    await Bun.sleep(300);
    leave();
    const whileOpen = reads;
    expect(whileOpen).toBeGreaterThan(3);
    // Read again and again, sent once: it never changed.
    expect(seen).toEqual([{ agents: [] }]);
    await Bun.sleep(200);
    expect(reads).toBe(whileOpen);
    feed.close();
    watchDb.close();
  });
});
