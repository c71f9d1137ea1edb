import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import { insertPlacement, registerAgent } from "./agents.ts";
import {
  acquireNudgeLease,
  hasLiveNudgeLease,
  listUnfetched,
  readDelivery,
  readThread,
  recordFetched,
  recordNudged,
  recordPushFailed,
  releaseNudgeLeaseIfDone,
} from "./delivery.ts";
import { ackTask, sendBroadcast, sendUnicast } from "./tasks.ts";

let db: Database;
let cleanup: () => void;
let sessionId: string;
let alice: string;
let bob: string;

beforeEach(() => {
  ({ db, cleanup } = tempDatabase());
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
  });

  it("lists what a nudge is about: unread, unfetched, not self-sent, oldest first", () => {
    const first = send(alice, bob, "one");
    const second = send(alice, bob, "two");
    const fetched = send(alice, bob, "three");
    recordFetched(db, [fetched]);
    const read = send(alice, bob, "four");
    ackTask(db, { sessionId, agentId: bob, taskId: read });
    send(bob, bob, "note to self");
    expect(listUnfetched(db, bob).map((pending) => [pending.task_id, pending.from_name])).toEqual([
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

describe("nudge lease", () => {
  it("admits one holder until it expires or is released with nothing left to do", async () => {
    insertPlacement(db, bob, {
      director_agent_id: null,
      tmux_session: "main",
      tmux_window_id: "@1",
      tmux_pane_id: "%9",
      coding_agent: "claude",
      created_at: "2026-01-01T00:00:00.000000+00:00",
    });
    expect(acquireNudgeLease(db, alice, "one", 10_000)).toBe(false);
    expect(acquireNudgeLease(db, bob, "one", 10_000)).toBe(true);
    expect(acquireNudgeLease(db, bob, "two", 10_000)).toBe(false);
    expect(acquireNudgeLease(db, bob, "one", 10_000)).toBe(true);
    expect(hasLiveNudgeLease(db, bob)).toBe(true);
    expect(releaseNudgeLeaseIfDone(db, bob, "one", () => true)).toBe(false);
    expect(hasLiveNudgeLease(db, bob)).toBe(true);
    expect(releaseNudgeLeaseIfDone(db, bob, "one", () => false)).toBe(true);
    expect(hasLiveNudgeLease(db, bob)).toBe(false);
    expect(acquireNudgeLease(db, bob, "two", 20)).toBe(true);
    await Bun.sleep(40);
    expect(hasLiveNudgeLease(db, bob)).toBe(false);
    expect(acquireNudgeLease(db, bob, "three", 10_000)).toBe(true);
  });
});
