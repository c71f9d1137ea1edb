import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { expectError, Fleet, type SessionIds } from "../support/fleet.ts";

describeEachBackend("delivery", (backend) => {
  /** `get-task --json` delivery times and reply threads; `send --reply-to` (issue 8). No panes here. */

  let fleet: Fleet;
  let s: SessionIds;
  let alice: string;
  let bob: string;

  beforeAll(() => {
    fleet = new Fleet("delivery-cli", backend);
    s = fleet.createSession();
    alice = fleet.register(s.sessionId, "alice");
    bob = fleet.register(s.sessionId, "bob");
  }, 60_000);
  afterAll(() => fleet.stop());

  type Sent = { task: { id: string; metadata: Record<string, unknown> }; notification_sent: boolean };

  function send(from: string, to: string, text: string, extra: string[] = []): Sent {
    return fleet.json<Sent>([
      "--session-id",
      s.sessionId,
      "send",
      "--agent-id",
      from,
      "--to",
      to,
      "--text",
      text,
      ...extra,
    ]);
  }

  function getTaskJson(agentId: string, taskId: string) {
    return fleet.json<{
      task: { id: string };
      delivery: Record<string, unknown>;
      thread: { task_id: string; reply_to_task_id: string | null; text: string }[];
    }>(["--session-id", s.sessionId, "get-task", "--agent-id", agentId, "--task-id", taskId]);
  }

  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

  describe("get-task --json delivery", () => {
    it("records stored, fetched (first poll that returns it) and acked, after the normative task key", () => {
      const { task } = send(alice, bob, "hello bob");
      const stored = getTaskJson(alice, task.id);
      expect(Object.keys(stored)).toEqual(["task", "delivery", "thread"]);
      expect(Object.keys(stored.delivery)).toEqual([
        "stored_at",
        "notified_at",
        "notify_failed_at",
        "fetched_at",
        "acked_at",
        "notify_error",
        "nudge_count",
        "held_at",
        "held_reason",
      ]);
      expect(stored.delivery).toMatchObject({
        notified_at: null,
        notify_failed_at: null,
        fetched_at: null,
        acked_at: null,
        notify_error: null,
        nudge_count: 0,
        held_at: null,
        held_reason: null,
      });
      expect(stored.delivery.stored_at).toMatch(ISO);

      expect(fleet.run(["--session-id", s.sessionId, "poll", "--agent-id", bob]).exitCode).toBe(0);
      const fetched = getTaskJson(bob, task.id).delivery;
      expect(fetched.fetched_at).toMatch(ISO);
      fleet.run(["--session-id", s.sessionId, "poll", "--agent-id", bob]);
      expect(getTaskJson(bob, task.id).delivery.fetched_at).toBe(fetched.fetched_at);

      fleet.json(["--session-id", s.sessionId, "ack", "--agent-id", bob, "--task-id", task.id]);
      const acked = getTaskJson(bob, task.id).delivery;
      expect(acked.acked_at).toMatch(ISO);
      expect(String(acked.acked_at) >= String(acked.fetched_at)).toBe(true);
    });

    it("keeps the text get-task block exactly as before", () => {
      const { task } = send(alice, bob, "plain");
      const text = fleet.run([
        "--session-id",
        s.sessionId,
        "get-task",
        "--agent-id",
        bob,
        "--task-id",
        task.id,
      ]);
      expect(text.stdout).toBe(
        `  id:    ${task.id}\n  state: input_required\n  from:  ${alice}\n  to:    ${bob}\n  type:  unicast\n  text:  plain\n`,
      );
    });
  });

  describe("send --reply-to", () => {
    it("threads replies under a task; get-task shows the whole thread from any message of it", () => {
      const question = send(alice, bob, "which port?").task;
      const answer = send(bob, alice, "8000", ["--reply-to", question.id]).task;
      const followUp = send(alice, bob, "thanks", ["--reply-to", answer.id]).task;
      expect(Object.keys(answer.metadata)).toEqual(["fromAgentId", "toAgentId", "type"]);
      for (const id of [question.id, followUp.id]) {
        const thread = getTaskJson(alice, id).thread;
        expect(thread.map((entry) => [entry.task_id, entry.reply_to_task_id, entry.text])).toEqual([
          [question.id, null, "which port?"],
          [answer.id, question.id, "8000"],
          [followUp.id, answer.id, "thanks"],
        ]);
      }
    });

    it("refuses a task of another session or no task at all, storing nothing", () => {
      const other = fleet.createSession();
      const foreign = fleet.json<Sent>([
        "--session-id",
        other.sessionId,
        "send",
        "--agent-id",
        other.administratorId,
        "--to",
        other.directorId,
        "--text",
        "x",
      ]).task.id;
      const before = fleet.json<unknown[]>(["--session-id", s.sessionId, "poll", "--agent-id", bob]).length;
      for (const id of [foreign, "no-such-task"])
        expectError(
          fleet.run([
            "--session-id",
            s.sessionId,
            "send",
            "--agent-id",
            alice,
            "--to",
            bob,
            "--text",
            "re",
            "--reply-to",
            id,
          ]),
          `Task ${id} not found`,
        );
      expect(fleet.json<unknown[]>(["--session-id", s.sessionId, "poll", "--agent-id", bob])).toHaveLength(
        before,
      );
    });
  });
});
