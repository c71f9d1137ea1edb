import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../../test/support/backends.ts";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import type { Database } from "../store/database.ts";
import { insertPlacement, registerAgent } from "./agents.ts";
import {
  acquireRelay,
  acquireSessionNudger,
  hasLiveRelay,
  hasLiveSessionNudger,
  listSessionUnfetched,
  readDelivery,
  readThread,
  recordFetched,
  recordHeld,
  recordNudged,
  recordPushFailed,
  releaseSessionNudgerIfDone,
} from "./delivery.ts";
import { ackTask, sendBroadcast, sendUnicast } from "./tasks.ts";

describeEachBackend("delivery", (backend) => {
  let db: Database;
  let cleanup: () => void;
  let sessionId: string;
  let alice: string;
  let bob: string;

  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
    ({ sessionId } = seedSession(db));
    alice = registerAgent(db, { sessionId, name: "alice", description: "a", skills: [] }).agent_id;
    bob = registerAgent(db, { sessionId, name: "bob", description: "b", skills: [] }).agent_id;
  }, 60_000);
  afterEach(() => cleanup());

  const send = (from: string, to: string, text: string, replyToTaskId?: string) =>
    sendUnicast(db, { sessionId, fromAgentId: from, toAgentId: to, text, replyToTaskId }).id;

  describe("delivery times", () => {
    it("counts nudges, keeps the first notification and the first fetch, and derives acked_at", () => {
      const id = send(alice, bob, "hi");
      recordNudged(db, [id]);
      const first = readDelivery(db, id)!;
      recordNudged(db, [id]);
      recordFetched(db, [id]);
      const fetched = readDelivery(db, id)!.fetched_at;
      recordFetched(db, [id]);
      ackTask(db, { sessionId, agentId: bob, taskId: id });
      const after = readDelivery(db, id)!;
      expect(after.notified_at).toBe(first.notified_at);
      expect(after.nudge_count).toBe(2);
      expect(after.fetched_at).toBe(fetched);
      expect(after.acked_at).not.toBeNull();
      expect(after.acked_at! >= after.fetched_at!).toBe(true);
    });

    it("records a failed push with its error", () => {
      const id = send(alice, bob, "hi");
      recordPushFailed(db, [id], "tmux command failed: x\nstderr: can't find pane: %9");
      expect(readDelivery(db, id)).toMatchObject({
        notified_at: null,
        notify_error: "tmux command failed: x\nstderr: can't find pane: %9",
      });
    });

    it("marks a large inbox fetched, slice by slice", () => {
      const ids = sendBroadcast(db, { sessionId, fromAgentId: alice, text: "x" }).taskIds;
      const many = db.transaction(() => Array.from({ length: 1200 }, (_, i) => send(alice, bob, `m${i}`)))();
      recordFetched(db, [...many, ...ids]);
      expect(
        db.query("SELECT COUNT(*) AS n FROM tasks WHERE fetched_at IS NULL AND type = 'unicast'").get(),
      ).toEqual({
        n: 0,
      });
      // 1,200 sends are 1,200 round trips to PostgreSQL.
    }, 30_000);

    it("lists what a nudge is about: unread, unfetched, not self-sent, to a live pane, oldest first", () => {
      placeInPane(bob, "%9");
      const toPaneless = send(bob, alice, "alice has no pane");
      const first = send(alice, bob, "one");
      const second = send(alice, bob, "two");
      const fetched = send(alice, bob, "three");
      recordFetched(db, [fetched]);
      const read = send(alice, bob, "four");
      ackTask(db, { sessionId, agentId: bob, taskId: read });
      send(bob, bob, "note to self");
      expect(toPaneless).toBeString();
      expect(
        listSessionUnfetched(db, sessionId).map((pending) => [pending.task_id, pending.from_name]),
      ).toEqual([
        [first, "alice"],
        [second, "alice"],
      ]);
    });
  });

  describe("reply threads", () => {
    it("returns the whole thread from any of its messages, oldest first", () => {
      const root = send(alice, bob, "q");
      const reply = send(bob, alice, "a", root);
      const other = send(bob, alice, "a2", root);
      const deep = send(alice, bob, "thanks", reply);
      const unrelated = send(alice, bob, "else");
      for (const id of [root, deep, other])
        expect(readThread(db, id).map((entry) => entry.task_id)).toEqual([root, reply, other, deep]);
      expect(readThread(db, unrelated).map((entry) => entry.task_id)).toEqual([unrelated]);
    });
  });

  describe("holds", () => {
    it("records why a push waits, keeps the first hold time, and a push that got through clears it", async () => {
      const id = send(alice, bob, "hi");
      recordHeld(db, [id], "permission prompt");
      const first = db.query("SELECT held_at, held_reason FROM tasks WHERE task_id = ?").get(id) as {
        held_at: string;
        held_reason: string;
      };
      expect(first.held_reason).toBe("permission prompt");
      await Bun.sleep(2);
      recordHeld(db, [id], "working");
      expect(db.query("SELECT held_at, held_reason FROM tasks WHERE task_id = ?").get(id)).toEqual({
        held_at: first.held_at,
        held_reason: "working",
      });
      recordNudged(db, [id]);
      expect(db.query("SELECT held_at, held_reason FROM tasks WHERE task_id = ?").get(id)).toEqual({
        held_at: null,
        held_reason: null,
      });
    });
  });

  function placeInPane(agentId: string, pane: string): void {
    insertPlacement(db, agentId, {
      director_agent_id: null,
      tmux_session: "main",
      tmux_window_id: "@1",
      tmux_pane_id: pane,
      coding_agent: "claude",
      created_at: "2026-01-01T00:00:00.000000+00:00",
    });
  }

  describe("nudge lease", () => {
    it("admits one nudger per session until it expires or is released with nothing left to do", async () => {
      expect(acquireSessionNudger(db, "no-such-session", "one", 10_000)).toBe(false);
      expect(acquireSessionNudger(db, sessionId, "one", 10_000)).toBe(true);
      expect(acquireSessionNudger(db, sessionId, "two", 10_000)).toBe(false);
      expect(acquireSessionNudger(db, sessionId, "one", 10_000)).toBe(true);
      expect(hasLiveSessionNudger(db, sessionId)).toBe(true);
      expect(releaseSessionNudgerIfDone(db, sessionId, "one", () => true)).toBe(false);
      expect(hasLiveSessionNudger(db, sessionId)).toBe(true);
      expect(releaseSessionNudgerIfDone(db, sessionId, "one", () => false)).toBe(true);
      expect(hasLiveSessionNudger(db, sessionId)).toBe(false);
      expect(acquireSessionNudger(db, sessionId, "two", 20)).toBe(true);
      await Bun.sleep(40);
      expect(hasLiveSessionNudger(db, sessionId)).toBe(false);
      expect(acquireSessionNudger(db, sessionId, "three", 10_000)).toBe(true);
    });
  });

  describe("relay lease", () => {
    it("admits one relay per host until it expires; its holder renews it", () => {
      expect(acquireRelay(db, "host-b", "first", 10_000)).toBe(true);
      expect(acquireRelay(db, "host-b", "second", 10_000)).toBe(false);
      expect(acquireRelay(db, "host-c", "second", 10_000)).toBe(true);
      expect(acquireRelay(db, "host-b", "first", -1)).toBe(true);
      expect(hasLiveRelay(db, "host-b")).toBe(false);
      expect(acquireRelay(db, "host-b", "second", 10_000)).toBe(true);
      expect(db.query("SELECT host, holder FROM relays ORDER BY host").all()).toEqual([
        { host: "host-b", holder: "second" },
        { host: "host-c", holder: "second" },
      ]);
    });
  });
});
