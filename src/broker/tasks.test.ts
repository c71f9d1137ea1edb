import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../../test/support/backends.ts";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import type { CafleetError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { deregisterAgent, registerAgent } from "./agents.ts";
import {
  ackTask,
  cancelTask,
  getTask,
  listInbox,
  listInboxLines,
  sendBroadcast,
  sendUnicast,
  type Task,
  taskLine,
} from "./tasks.ts";

describeEachBackend("tasks", (backend) => {
  let db: Database;
  let cleanup: () => void;
  let sessionId: string;
  let directorId: string;
  let administratorId: string;
  let alice: string;
  let bob: string;

  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
    ({ sessionId, directorId, administratorId } = seedSession(db));
    alice = registerAgent(db, { sessionId, name: "alice", description: "a", skills: [] }).agent_id;
    bob = registerAgent(db, { sessionId, name: "bob", description: "b", skills: [] }).agent_id;
  }, 60_000);
  afterEach(() => cleanup());

  function thrown(fn: () => unknown): CafleetError {
    try {
      fn();
    } catch (error) {
      return error as CafleetError;
    }
    throw new Error("expected a throw");
  }

  const send = (from: string, to: string, text: string) =>
    sendUnicast(db, { sessionId, fromAgentId: from, toAgentId: to, text });

  function row(taskId: string) {
    return db
      .query(
        "SELECT context_id, from_agent_id, to_agent_id, type, created_at, status_state, status_timestamp, origin_task_id, task_json FROM tasks WHERE task_id = ?",
      )
      .get(taskId) as Record<string, string | null>;
  }

  describe("sendUnicast", () => {
    it("stores one input_required delivery whose columns mirror its JSON", () => {
      const text = 'line one\nline "two" 🎉 日本語\ttab';
      const task = send(alice, bob, text);
      expect(Object.keys(task)).toEqual(["id", "contextId", "status", "artifacts", "metadata", "history"]);
      expect(task.metadata).toEqual({ fromAgentId: alice, toAgentId: bob, type: "unicast" });
      expect(task.artifacts[0]!.parts).toEqual([{ kind: "text", text }]);
      expect(row(task.id)).toEqual({
        context_id: bob,
        from_agent_id: alice,
        to_agent_id: bob,
        type: "unicast",
        created_at: task.status.timestamp,
        status_state: "input_required",
        status_timestamp: task.status.timestamp,
        origin_task_id: null,
        task_json: JSON.stringify(task),
      });
    });

    it("allows self-sends, empty text and messages to the Administrator", () => {
      expect(send(alice, alice, "").contextId).toBe(alice);
      expect(send(alice, administratorId, "hi").contextId).toBe(administratorId);
    });

    it("checks sender, then recipient existence, then recipient session", () => {
      const other = seedSession(db);
      const gone = registerAgent(db, { sessionId, name: "g", description: "d", skills: [] }).agent_id;
      deregisterAgent(db, gone);
      expect(() => send(other.directorId, bob, "x")).toThrow(
        `Sender agent not found or not active in session: ${other.directorId}`,
      );
      expect(() => send(gone, bob, "x")).toThrow(`Sender agent not found or not active in session: ${gone}`);
      expect(() => send(alice, gone, "x")).toThrow(`Destination agent not found: ${gone}`);
      expect(() => send(alice, other.directorId, "x")).toThrow(
        `Destination agent not in session: ${other.directorId}`,
      );
      expect(db.query("SELECT COUNT(*) AS n FROM tasks").get()).toEqual({ n: 0 });
    });
  });

  describe("sendBroadcast", () => {
    it("delivers to active non-Administrator peers in insertion order, then stores the summary", () => {
      const gone = registerAgent(db, { sessionId, name: "g", description: "d", skills: [] }).agent_id;
      deregisterAgent(db, gone);
      const { summary, recipientIds } = sendBroadcast(db, {
        sessionId,
        fromAgentId: alice,
        text: "all hands",
      });
      expect(recipientIds).toEqual([directorId, bob]);
      expect(summary.status.state).toBe("completed");
      expect(summary.metadata).toEqual({
        fromAgentId: alice,
        type: "broadcast_summary",
        recipientCount: 2,
        recipientIds: [directorId, bob],
        originTaskId: summary.id,
      });
      expect(summary.artifacts[0]!.parts[0]!.text).toBe("Broadcast sent to 2 recipients");
      const rows = db
        .query(
          "SELECT context_id, to_agent_id, type, status_state, origin_task_id, status_timestamp FROM tasks ORDER BY rowid",
        )
        .all() as Record<string, string>[];
      expect(
        rows.map((r) => [r.context_id, r.to_agent_id, r.type, r.status_state, r.origin_task_id]),
      ).toEqual([
        [directorId, directorId, "unicast", "input_required", summary.id],
        [bob, bob, "unicast", "input_required", summary.id],
        [alice, "", "broadcast_summary", "completed", summary.id],
      ]);
      const stamps = rows.map((r) => r.status_timestamp!);
      expect([...stamps].sort()).toEqual(stamps);
      expect(new Set(stamps).size).toBe(3);
      const delivery = listInbox(db, bob)[0]!;
      expect(delivery.metadata).toEqual({
        fromAgentId: alice,
        toAgentId: bob,
        type: "unicast",
        originTaskId: summary.id,
      });
    });

    it("says 'Broadcast sent to 0 recipients' when nobody else is there and refuses inactive senders", () => {
      const other = seedSession(db);
      deregisterAgent(db, alice);
      expect(() => sendBroadcast(db, { sessionId, fromAgentId: alice, text: "x" })).toThrow(
        `Sender agent not found or not active in session: ${alice}`,
      );
      const { summary } = sendBroadcast(db, {
        sessionId: other.sessionId,
        fromAgentId: other.administratorId,
        text: "x",
      });
      expect(summary.metadata.recipientIds).toEqual([other.directorId]);
      const lonely = seedSession(db);
      deregisterAgent(
        db,
        registerAgent(db, { sessionId: lonely.sessionId, name: "x", description: "d", skills: [] }).agent_id,
      );
      db.run("UPDATE agents SET status = 'deregistered' WHERE agent_id = ?", [lonely.directorId]);
      const empty = sendBroadcast(db, {
        sessionId: lonely.sessionId,
        fromAgentId: lonely.administratorId,
        text: "x",
      });
      expect(empty.summary.artifacts[0]!.parts[0]!.text).toBe("Broadcast sent to 0 recipients");
      expect(empty.recipientIds).toEqual([]);
    });
  });

  describe("listInbox", () => {
    it("returns every state newest first, excludes summaries, honours since (strict) and limit", () => {
      const first = send(alice, bob, "1");
      const second = send(alice, bob, "2");
      const third = send(alice, bob, "3");
      sendBroadcast(db, { sessionId, fromAgentId: bob, text: "b" });
      ackTask(db, { sessionId, agentId: bob, taskId: first.id });
      cancelTask(db, { sessionId, agentId: alice, taskId: second.id });
      const ids = (tasks: Task[]) => tasks.map((task) => task.id);
      expect(ids(listInbox(db, bob))).toEqual([second.id, first.id, third.id]);
      expect(listInbox(db, bob).map((task) => task.status.state)).toEqual([
        "canceled",
        "completed",
        "input_required",
      ]);
      expect(listInbox(db, alice).map((task) => task.metadata.type)).toEqual(["unicast"]);
      expect(ids(listInbox(db, bob, { limit: 2 }))).toEqual([second.id, first.id]);
      expect(listInbox(db, bob, { limit: 0 })).toEqual([]);
      const firstAck = listInbox(db, bob)[1]!.status.timestamp;
      expect(ids(listInbox(db, bob, { since: firstAck }))).toEqual([second.id]);
      expect(ids(listInbox(db, bob, { since: third.status.timestamp, limit: 1 }))).toEqual([second.id]);
    });

    it("breaks timestamp ties by insertion order, newest first", () => {
      for (const id of ["t-a", "t-b"])
        db.run(
          `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state, status_timestamp, origin_task_id, task_json)
           VALUES (?, ?, ?, ?, 'unicast', 'same', 'input_required', 'same', NULL, ?)`,
          [id, bob, alice, bob, JSON.stringify({ id })],
        );
      expect(listInbox(db, bob).map((task) => task.id)).toEqual(["t-b", "t-a"]);
    });
  });

  describe("ack, cancel and getTask", () => {
    it("acks: agent in session → task in session → recipient → state", () => {
      const task = send(alice, bob, "hi");
      const other = seedSession(db);
      const outsider = thrown(() => ackTask(db, { sessionId, agentId: other.directorId, taskId: task.id }));
      expect(outsider.message).toBe(`Agent ${other.directorId} not found in session ${sessionId}`);
      expect(() =>
        ackTask(db, { sessionId: other.sessionId, agentId: other.directorId, taskId: task.id }),
      ).toThrow(`Task ${task.id} not found`);
      expect(() => ackTask(db, { sessionId, agentId: bob, taskId: "nope" })).toThrow("Task nope not found");
      expect(() => ackTask(db, { sessionId, agentId: alice, taskId: task.id })).toThrow(
        "Only the recipient can ACK a task",
      );
      const acked = ackTask(db, { sessionId, agentId: bob, taskId: task.id });
      expect(acked.status.state).toBe("completed");
      expect(acked.status.timestamp > task.status.timestamp).toBe(true);
      expect(row(task.id)).toMatchObject({
        created_at: task.status.timestamp,
        status_state: "completed",
        status_timestamp: acked.status.timestamp,
        task_json: JSON.stringify(acked),
      });
      expect(() => ackTask(db, { sessionId, agentId: bob, taskId: task.id })).toThrow(
        "Cannot ACK task in state completed",
      );
    });

    it("lets a deregistered recipient ack its own unread message", () => {
      const task = send(alice, bob, "hi");
      deregisterAgent(db, bob);
      expect(ackTask(db, { sessionId, agentId: bob, taskId: task.id }).status.state).toBe("completed");
    });

    it("cancels: sender only, unread only", () => {
      const task = send(alice, bob, "hi");
      expect(() => cancelTask(db, { sessionId, agentId: bob, taskId: task.id })).toThrow(
        "Only the sender can cancel a task",
      );
      expect(cancelTask(db, { sessionId, agentId: alice, taskId: task.id }).status.state).toBe("canceled");
      expect(() => cancelTask(db, { sessionId, agentId: alice, taskId: task.id })).toThrow(
        "Cannot cancel task in state canceled",
      );
      expect(() => ackTask(db, { sessionId, agentId: bob, taskId: task.id })).toThrow(
        "Cannot ACK task in state canceled",
      );
    });

    it("answers a summary: the broadcaster gets the state error, others the recipient error", () => {
      const { summary } = sendBroadcast(db, { sessionId, fromAgentId: alice, text: "b" });
      expect(() => ackTask(db, { sessionId, agentId: alice, taskId: summary.id })).toThrow(
        "Cannot ACK task in state completed",
      );
      expect(() => ackTask(db, { sessionId, agentId: bob, taskId: summary.id })).toThrow(
        "Only the recipient can ACK a task",
      );
      const fetched = getTask(db, { sessionId, agentId: bob, taskId: summary.id });
      expect(fetched).toEqual(summary);
      expect("notificationsSentCount" in fetched.metadata).toBe(false);
    });

    it("getTask hides other sessions' tasks", () => {
      const task = send(alice, bob, "hi");
      const other = seedSession(db);
      expect(getTask(db, { sessionId, agentId: directorId, taskId: task.id })).toEqual(task);
      expect(() =>
        getTask(db, { sessionId: other.sessionId, agentId: other.directorId, taskId: task.id }),
      ).toThrow(`Task ${task.id} not found`);
    });
  });

  describe("listInboxLines", () => {
    it("matches the full tasks' text view, filters and limits included", () => {
      send(alice, bob, "one\nline two");
      const second = send(alice, bob, "two");
      sendBroadcast(db, { sessionId, fromAgentId: alice, text: "all" });
      ackTask(db, { sessionId, agentId: bob, taskId: second.id });
      for (const query of [{}, { limit: 2 }, { since: second.status.timestamp }, { limit: 0 }])
        expect(listInboxLines(db, bob, query)).toEqual(listInbox(db, bob, query).map(taskLine));
    });

    it("falls back to the first non-empty text part, or none, for tasks cafleet did not write", () => {
      const seeded = (id: string, artifacts: unknown) =>
        db.run(
          `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state, status_timestamp, origin_task_id, task_json)
           VALUES (?, ?, ?, ?, 'unicast', ?, 'input_required', ?, NULL, ?)`,
          [
            id,
            bob,
            alice,
            bob,
            `2030-01-0${id.length}`,
            `2030-01-0${id.length}`,
            JSON.stringify({
              id,
              contextId: bob,
              status: { state: "input_required", timestamp: "t" },
              artifacts,
              metadata: { fromAgentId: alice, toAgentId: bob, type: "unicast" },
              history: [],
            }),
          ],
        );
      seeded("a", [
        {
          artifactId: "x",
          parts: [
            { kind: "text", text: "" },
            { kind: "text", text: "second part" },
          ],
        },
      ]);
      seeded("bb", [
        { artifactId: "x", parts: [{ kind: "text", text: 42 }] },
        { artifactId: "y", parts: [{ kind: "text", text: "later" }] },
      ]);
      seeded("ccc", []);
      const lines = listInboxLines(db, bob);
      expect(lines.map((line) => [line.id, line.text])).toEqual([
        ["ccc", undefined],
        ["bb", "later"],
        ["a", "second part"],
      ]);
    });
  });
});
