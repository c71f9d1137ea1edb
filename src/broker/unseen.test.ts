import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../../test/support/backends.ts";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import type { Database } from "../store/database.ts";
import { registerAgent } from "./agents.ts";
import { readDelivery, recordInboxFetched } from "./delivery.ts";
import { ackTask, cancelTask, sendBroadcast, sendUnicast } from "./tasks.ts";
import { countUnseen, recordInboxRetractionsShown, takeNew, takeUnread } from "./unseen.ts";

describeEachBackend("unseen", (backend) => {
  let db: Database;
  let cleanup: () => void;
  let sessionId: string;
  let directorId: string;
  let alice: string;
  let bob: string;

  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
    ({ sessionId, directorId } = seedSession(db));
    alice = registerAgent(db, { sessionId, name: "alice", description: "a", skills: [] }).agent_id;
    bob = registerAgent(db, { sessionId, name: "bob", description: "b", skills: [] }).agent_id;
  }, 60_000);
  afterEach(() => cleanup());

  const send = (from: string, text: string, to = bob) =>
    sendUnicast(db, { sessionId, fromAgentId: from, toAgentId: to, text }).id;
  const newOf = (agentId = bob) =>
    takeNew(db, agentId).entries.map((entry) => [entry.task.id, entry.task.status.state]);
  const retractionReportedAt = (taskId: string) =>
    (
      db.query("SELECT retraction_reported_at FROM tasks WHERE task_id = ?").get(taskId) as {
        retraction_reported_at: string | null;
      }
    ).retraction_reported_at;

  describe("takeNew", () => {
    it("returns unfetched messages oldest first with their senders' names, once", () => {
      const first = send(alice, "one");
      const second = send(directorId, "two");
      const { entries, unreadShownBefore } = takeNew(db, bob);
      expect(entries.map((entry) => [entry.task.id, entry.fromName])).toEqual([
        [first, "alice"],
        [second, "Director"],
      ]);
      expect(entries[0]!.task.artifacts[0]!.parts[0]!.text).toBe("one");
      expect(unreadShownBefore).toBe(0);
      expect(readDelivery(db, first)!.fetched_at).not.toBeNull();
      expect(takeNew(db, bob)).toEqual({ entries: [], unreadShownBefore: 2 });
    });

    it("never skips nor repeats a message sent between two calls", () => {
      const seen: string[] = [];
      const sent: string[] = [];
      for (let round = 0; round < 20; round++) {
        for (let index = 0; index < round % 4; index++) sent.push(send(alice, `m${round}.${index}`));
        seen.push(...newOf().map(([id]) => id!));
      }
      expect(seen).toEqual(sent);
    });

    it("treats a message a plain poll fetched as shown", () => {
      const fetched = send(alice, "plain poll saw me");
      recordInboxFetched(db, bob, [fetched]);
      const fresh = send(alice, "new");
      expect(newOf()).toEqual([[fresh, "input_required"]]);
    });

    it("reports the retraction of a fetched message once, and none of a message never fetched", () => {
      const seenThenRetracted = send(alice, "seen");
      const neverSeen = send(alice, "retracted before any poll");
      cancelTask(db, { sessionId, agentId: alice, taskId: neverSeen });
      expect(newOf()).toEqual([[seenThenRetracted, "input_required"]]);
      cancelTask(db, { sessionId, agentId: alice, taskId: seenThenRetracted });
      expect(countUnseen(db, bob)).toEqual({ unread: 0, new: 1 });
      expect(newOf()).toEqual([[seenThenRetracted, "canceled"]]);
      expect(retractionReportedAt(seenThenRetracted)).not.toBeNull();
      expect(newOf()).toEqual([]);
      expect(retractionReportedAt(neverSeen)).toBeNull();
    });

    it("does not report a retraction a plain poll already printed", () => {
      const task = send(alice, "x");
      takeNew(db, bob);
      cancelTask(db, { sessionId, agentId: alice, taskId: task });
      recordInboxRetractionsShown(db, bob, [task]);
      expect(retractionReportedAt(task)).not.toBeNull();
      expect(newOf()).toEqual([]);
    });

    it("never reports acks, and counts what earlier polls showed and nobody acked", () => {
      const acked = send(alice, "handled");
      send(alice, "still open");
      takeNew(db, bob);
      ackTask(db, { sessionId, agentId: bob, taskId: acked });
      const fresh = send(directorId, "new one");
      const { entries, unreadShownBefore } = takeNew(db, bob);
      expect(entries.map((entry) => entry.task.id)).toEqual([fresh]);
      expect(unreadShownBefore).toBe(1);
    });

    it("includes broadcast deliveries, excludes summaries and other inboxes", () => {
      const { taskIds, recipientIds, summary } = sendBroadcast(db, {
        sessionId,
        fromAgentId: alice,
        text: "all",
      });
      const mine = taskIds[recipientIds.indexOf(bob)]!;
      send(bob, "to alice", alice);
      expect(newOf()).toEqual([[mine, "input_required"]]);
      expect(newOf(alice).map(([id]) => id)).not.toContain(summary.id);
    });
  });

  describe("takeUnread", () => {
    it("lists every unread message, shown before or not, oldest first, and marks them fetched", () => {
      const shown = send(alice, "shown");
      takeNew(db, bob);
      const acked = send(alice, "acked");
      ackTask(db, { sessionId, agentId: bob, taskId: acked });
      const canceled = send(alice, "canceled");
      cancelTask(db, { sessionId, agentId: alice, taskId: canceled });
      const fresh = send(directorId, "fresh");
      expect(takeUnread(db, bob).map((entry) => [entry.task.id, entry.fromName])).toEqual([
        [shown, "alice"],
        [fresh, "Director"],
      ]);
      expect(readDelivery(db, fresh)!.fetched_at).not.toBeNull();
      expect(newOf()).toEqual([]);
    });
  });

  describe("countUnseen", () => {
    it("counts unread and new without marking anything", () => {
      expect(countUnseen(db, bob)).toEqual({ unread: 0, new: 0 });
      const first = send(alice, "a");
      send(alice, "b");
      expect(countUnseen(db, bob)).toEqual({ unread: 2, new: 2 });
      expect(readDelivery(db, first)!.fetched_at).toBeNull();
      takeNew(db, bob);
      send(alice, "c");
      expect(countUnseen(db, bob)).toEqual({ unread: 3, new: 1 });
    });
  });
});
