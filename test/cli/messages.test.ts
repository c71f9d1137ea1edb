import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { BINARY, runCafleetAsync } from "../support/cli.ts";
import { expectError, Fleet, type SessionIds } from "../support/fleet.ts";

describeEachBackend("messages", (backend) => {
  type Task = {
    id: string;
    contextId: string;
    status: { state: string; timestamp: string };
    artifacts: { artifactId: string; parts: { kind: string; text: string }[] }[];
    metadata: Record<string, unknown>;
    history: unknown[];
  };

  let fleet: Fleet;
  let ids: SessionIds;
  let alice: string;
  let bob: string;
  let other: SessionIds;

  beforeAll(() => {
    fleet = new Fleet("messages", backend);
    ids = fleet.createSession("messages");
    alice = fleet.register(ids.sessionId, "alice");
    bob = fleet.register(ids.sessionId, "bob");
    other = fleet.createSession("other");
  }, 60_000);
  afterAll(() => fleet.stop());

  const inSession = (...args: string[]) => fleet.run(["--session-id", ids.sessionId, ...args]);
  const jsonIn = <T>(...args: string[]) => fleet.json<T>(["--session-id", ids.sessionId, ...args]);
  const sendJson = (from: string, to: string, text: string) =>
    jsonIn<{ task: Task; notification_sent: boolean }>(
      "send",
      "--agent-id",
      from,
      "--to",
      to,
      "--text",
      text,
    );

  function block(task: Task, to = true): string {
    return [
      `  id:    ${task.id}`,
      `  state: ${task.status.state}`,
      `  from:  ${task.metadata.fromAgentId}`,
      ...(to ? [`  to:    ${task.metadata.toAgentId}`] : []),
      `  type:  ${task.metadata.type}`,
      `  text:  ${task.artifacts[0]!.parts[0]!.text}`,
    ].join("\n");
  }

  describe("send", () => {
    it("prints 'Message sent.' and the task block, and stores the text byte for byte", () => {
      const text = "multi\nline \"quotes\" 'single' `tick` $HOME \\ 日本語 🎉\ttab\r\nend";
      const result = inSession("send", "--agent-id", alice, "--to", bob, "--text", text);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe("");
      const id = /id: {4}(\S+)/.exec(result.stdout)![1]!;
      const task = jsonIn<{ task: Task }>("get-task", "--agent-id", bob, "--task-id", id).task;
      expect(result.stdout).toBe(`Message sent.\n${block(task)}\n`);
      expect(task.artifacts[0]!.parts[0]!.text).toBe(text);
      const [stored] = fleet.rows<{ task_json: string }>("SELECT task_json FROM tasks WHERE task_id = ?", id);
      expect(JSON.parse(stored!.task_json).artifacts[0].parts[0].text).toBe(text);
    });

    it("prints the JSON shape {task, notification_sent} in key order", () => {
      const result = fleet.run([
        "--session-id",
        ids.sessionId,
        "--json",
        "send",
        "--agent-id",
        alice,
        "--to",
        bob,
        "--text",
        "hi",
      ]);
      const parsed = JSON.parse(result.stdout) as { task: Task; notification_sent: boolean };
      expect(result.stdout).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
      expect(Object.keys(parsed)).toEqual(["task", "notification_sent"]);
      expect(Object.keys(parsed.task)).toEqual([
        "id",
        "contextId",
        "status",
        "artifacts",
        "metadata",
        "history",
      ]);
      expect(parsed.task.status.state).toBe("input_required");
      expect(parsed.task.status.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      expect(parsed.task.metadata).toEqual({ fromAgentId: alice, toAgentId: bob, type: "unicast" });
      expect(parsed.task.history).toEqual([]);
      expect(parsed.notification_sent).toBe(false);
    });

    it("notifies a recipient with a pane, never the sender itself", () => {
      expect(sendJson(alice, ids.directorId, "to the Director").notification_sent).toBe(true);
      expect(sendJson(ids.directorId, ids.directorId, "self").notification_sent).toBe(false);
      expect(sendJson(alice, ids.administratorId, "admin").task.contextId).toBe(ids.administratorId);
    });

    it("accepts the UUID spellings of Python's uuid.UUID and looks the id up as given", () => {
      for (const spelling of [bob.toUpperCase(), `{${bob}}`, `urn:uuid:${bob}`, bob.replaceAll("-", "")])
        expectError(
          inSession("send", "--agent-id", alice, "--to", spelling, "--text", "x"),
          `Destination agent not found: ${spelling}`,
        );
      for (const bad of ["nope", `${bob}0`, "", "12345678-1234-1234-1234-12345678901g"])
        expectError(
          inSession("send", "--agent-id", alice, "--to", bad, "--text", "x"),
          `Invalid destination format: ${bad}`,
        );
    });

    it("checks format, sender, recipient, recipient's session in that order", () => {
      expectError(
        inSession("send", "--agent-id", "nobody", "--to", "bad", "--text", "x"),
        "Invalid destination format: bad",
      );
      expectError(
        inSession("send", "--agent-id", "nobody", "--to", bob, "--text", "x"),
        "Sender agent not found or not active in session: nobody",
      );
      expectError(
        inSession("send", "--agent-id", other.directorId, "--to", bob, "--text", "x"),
        `Sender agent not found or not active in session: ${other.directorId}`,
      );
      const unknown = crypto.randomUUID();
      expectError(
        inSession("send", "--agent-id", alice, "--to", unknown, "--text", "x"),
        `Destination agent not found: ${unknown}`,
      );
      expectError(
        inSession("send", "--agent-id", alice, "--to", other.directorId, "--text", "x"),
        `Destination agent not in session: ${other.directorId}`,
      );
      const gone = fleet.register(ids.sessionId, "gone");
      inSession("deregister", "--agent-id", gone);
      expectError(
        inSession("send", "--agent-id", alice, "--to", gone, "--text", "x"),
        `Destination agent not found: ${gone}`,
      );
      expectError(
        inSession("send", "--agent-id", gone, "--to", bob, "--text", "x"),
        `Sender agent not found or not active in session: ${gone}`,
      );
    });

    it("round-trips a 120 KiB message (argv's per-argument limit is 128 KiB)", () => {
      const text = "0123456789abcdef".repeat(7680);
      const sent = sendJson(alice, bob, text);
      const fetched = jsonIn<{ task: Task }>("get-task", "--agent-id", alice, "--task-id", sent.task.id);
      expect(fetched.task.artifacts[0]!.parts[0]!.text).toBe(text);
    });

    it("cannot be handed a NUL byte: argv ends a C string there, so the spawn itself refuses", () => {
      expect(() => Bun.spawnSync([BINARY, "--version", "a\0b"])).toThrow(/null bytes/);
    });
  });

  describe("broadcast", () => {
    it("prints 'Broadcast sent.' and the summary list; JSON adds notificationsSentCount", () => {
      const session = fleet.createSession();
      const worker = fleet.register(session.sessionId, "worker");
      const text = fleet.run([
        "--session-id",
        session.sessionId,
        "broadcast",
        "--agent-id",
        worker,
        "--text",
        "hello all",
      ]);
      expect(text.exitCode).toBe(0);
      const summaryId = /id: {4}(\S+)/.exec(text.stdout)![1]!;
      expect(text.stdout).toBe(
        [
          "Broadcast sent.",
          "[1]",
          `  id:    ${summaryId}`,
          "  state: completed",
          `  from:  ${worker}`,
          "  type:  broadcast_summary",
          "  text:  Broadcast sent to 1 recipients",
          "",
        ].join("\n"),
      );
      const json = fleet.json<{ task: Task; notifications_sent_count: number }[]>([
        "--session-id",
        session.sessionId,
        "broadcast",
        "--agent-id",
        session.administratorId,
        "--text",
        "from admin",
      ]);
      expect(json).toHaveLength(1);
      expect(Object.keys(json[0]!)).toEqual(["task", "notifications_sent_count"]);
      const summary = json[0]!.task;
      expect(summary.metadata).toEqual({
        fromAgentId: session.administratorId,
        type: "broadcast_summary",
        recipientCount: 2,
        recipientIds: [session.directorId, worker],
        originTaskId: summary.id,
        notificationsSentCount: 1,
      });
      expect(json[0]!.notifications_sent_count).toBe(1);
      const fetched = fleet.json<{ task: Task }>([
        "--session-id",
        session.sessionId,
        "get-task",
        "--agent-id",
        worker,
        "--task-id",
        summary.id,
      ]);
      expect(fetched.task.metadata.notificationsSentCount).toBeUndefined();
      const inbox = fleet.json<Task[]>(["--session-id", session.sessionId, "poll", "--agent-id", worker]);
      expect(inbox.map((task) => task.metadata.originTaskId)).toEqual([summary.id]);
    });

    it("refuses an inactive sender", () => {
      expectError(
        inSession("broadcast", "--agent-id", other.directorId, "--text", "x"),
        `Sender agent not found or not active in session: ${other.directorId}`,
      );
    });
  });

  describe("poll", () => {
    it("ends quietly with 141 when the reader of its output goes away (poll | head)", () => {
      const reader = fleet.register(ids.sessionId, "piped");
      const text = "x".repeat(4000);
      for (let index = 0; index < 40; index++) sendJson(alice, reader, text);
      const piped = Bun.spawnSync(
        [
          "bash",
          "-c",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, not a template
          '"$0" --session-id "$1" poll --agent-id "$2" | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"',
          BINARY,
          ids.sessionId,
          reader,
        ],
        { env: fleet.env as Record<string, string>, stdout: "pipe", stderr: "pipe" },
      );
      expect(piped.stderr.toString()).toBe("");
      expect(piped.stdout.toString()).toBe("141\n");
    }, 30_000);

    it("lists the inbox newest first in every state, text and JSON; 'No messages found.' when empty", () => {
      const session = fleet.createSession();
      const [a, b] = [fleet.register(session.sessionId, "a"), fleet.register(session.sessionId, "b")];
      const run = (...args: string[]) => fleet.run(["--session-id", session.sessionId, ...args]);
      expect(run("poll", "--agent-id", b).stdout).toBe("No messages found.\n");
      expect(fleet.run(["--session-id", session.sessionId, "--json", "poll", "--agent-id", b]).stdout).toBe(
        "[]\n",
      );
      const send = (text: string) =>
        fleet.json<{ task: Task }>([
          "--session-id",
          session.sessionId,
          "send",
          "--agent-id",
          a,
          "--to",
          b,
          "--text",
          text,
        ]).task;
      const first = send("first");
      const second = send("second");
      const acked = fleet.json<{ task: Task }>([
        "--session-id",
        session.sessionId,
        "ack",
        "--agent-id",
        b,
        "--task-id",
        first.id,
      ]).task;
      const inbox = fleet.json<Task[]>(["--session-id", session.sessionId, "poll", "--agent-id", b]);
      expect(inbox).toEqual([acked, second]);
      expect(run("poll", "--agent-id", b).stdout).toBe(`[1]\n${block(acked)}\n[2]\n${block(second)}\n`);
      expect(
        fleet.json<Task[]>(["--session-id", session.sessionId, "poll", "--agent-id", b, "--page-size", "1"]),
      ).toEqual([acked]);
      expect(
        fleet.json<Task[]>(["--session-id", session.sessionId, "poll", "--agent-id", b, "--page-size", "0"]),
      ).toEqual([]);
    });

    it("applies --since strictly, normalising ISO forms and accepting a task's own timestamp", () => {
      const session = fleet.createSession();
      const [a, b] = [fleet.register(session.sessionId, "a"), fleet.register(session.sessionId, "b")];
      const send = (text: string) =>
        fleet.json<{ task: Task }>([
          "--session-id",
          session.sessionId,
          "send",
          "--agent-id",
          a,
          "--to",
          b,
          "--text",
          text,
        ]).task;
      const since = (value: string, extra: string[] = []) =>
        fleet
          .json<Task[]>([
            "--session-id",
            session.sessionId,
            "poll",
            "--agent-id",
            b,
            "--since",
            value,
            ...extra,
          ])
          .map((task) => task.artifacts[0]!.parts[0]!.text);
      const one = send("one");
      const two = send("two");
      const three = send("three");
      expect(since(one.status.timestamp)).toEqual(["three", "two"]);
      expect(since(three.status.timestamp)).toEqual([]);
      expect(since(one.status.timestamp, ["--page-size", "1"])).toEqual(["three"]);
      const zulu = `${two.status.timestamp.slice(0, 26)}Z`;
      expect(since(zulu)).toEqual(["three"]);
      const seconds = `${one.status.timestamp.slice(0, 19)}Z`;
      expect(since(seconds)).toEqual(["three", "two", "one"]);
      expect(since("2000-01-01T09:00:00+09:00")).toEqual(["three", "two", "one"]);
      expect(since("9999-01-01T00:00:00")).toEqual([]);
      expect(since("zzz")).toEqual([]);
      expect(since("")).toEqual(["three", "two", "one"]);
      fleet.run(["--session-id", session.sessionId, "ack", "--agent-id", b, "--task-id", one.id]);
      expect(since(three.status.timestamp)).toEqual(["one"]);
    });

    it("checks the agent against the session and validates --page-size", () => {
      expectError(
        inSession("poll", "--agent-id", "nobody"),
        `Agent nobody not found in session ${ids.sessionId}`,
      );
      expectError(
        inSession("poll", "--agent-id", other.directorId),
        `Agent ${other.directorId} not found in session ${ids.sessionId}`,
      );
      expectError(
        inSession("poll", "--agent-id", bob, "--page-size", "-1"),
        "Invalid value for '--page-size': -1 is not a non-negative integer.",
        2,
      );
      expectError(
        inSession("poll", "--agent-id", bob, "--page-size", "1.5"),
        "Invalid value for '--page-size': '1.5' is not a valid integer.",
        2,
      );
      for (const bad of ["-1", "abc", "", "1e3", "Infinity"])
        expect(inSession("poll", "--agent-id", bob, "--wait", bad).exitCode).toBe(2);
    });

    it("lets a deregistered agent poll and ack its unread messages", () => {
      const gone = fleet.register(ids.sessionId, "leaving");
      const task = sendJson(alice, gone, "bye").task;
      inSession("deregister", "--agent-id", gone);
      expect(jsonIn<Task[]>("poll", "--agent-id", gone).map((t) => t.id)).toEqual([task.id]);
      expect(inSession("ack", "--agent-id", gone, "--task-id", task.id).exitCode).toBe(0);
    });
  });

  describe("poll --wait", () => {
    const spawnPoll = (args: string[]) =>
      Bun.spawn([BINARY, "--session-id", ids.sessionId, "poll", ...args], {
        env: fleet.env as Record<string, string>,
        stdout: "pipe",
        stderr: "pipe",
      });

    it("returns at once when an unread message is already there", () => {
      const waiter = fleet.register(ids.sessionId, "waiter-ready");
      sendJson(alice, waiter, "ready");
      const started = performance.now();
      const result = inSession("poll", "--agent-id", waiter, "--wait", "10");
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.stdout).toContain("text:  ready");
    });

    it("wakes promptly after another process sends", async () => {
      const waiter = fleet.register(ids.sessionId, "waiter");
      const proc = spawnPoll(["--agent-id", waiter, "--wait", "20"]);
      await Bun.sleep(600);
      let exitedAt = 0;
      const exited = proc.exited.then((code) => {
        exitedAt = Date.now();
        return code;
      });
      const sent = sendJson(alice, waiter, "wake up");
      const exitCode = await exited;
      // The task's own timestamp is taken inside the sending transaction, just before its commit.
      const latency = exitedAt - Date.parse(`${sent.task.status.timestamp.slice(0, 23)}Z`);
      console.log(`poll --wait exited ${latency} ms after the task was stored`);
      expect(exitCode).toBe(0);
      expect(latency).toBeLessThan(600);
      const stdout = await new Response(proc.stdout).text();
      expect(stdout).toBe(`[1]\n${block(sent.task)}\n`);
    });

    it("keeps waiting past read messages and --since, and returns the poll result at the timeout", async () => {
      const waiter = fleet.register(ids.sessionId, "waiter-timeout");
      const old = sendJson(alice, waiter, "old").task;
      inSession("ack", "--agent-id", waiter, "--task-id", old.id);
      const started = performance.now();
      const result = inSession("poll", "--agent-id", waiter, "--wait", "0.6");
      const elapsed = performance.now() - started;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("state: completed");
      expect(elapsed).toBeGreaterThan(550);
      expect(elapsed).toBeLessThan(3000);
      const unread = sendJson(alice, waiter, "unread").task;
      const json = fleet.run([
        "--session-id",
        ids.sessionId,
        "--json",
        "poll",
        "--agent-id",
        waiter,
        "--since",
        unread.status.timestamp,
        "--wait",
        "0.4",
      ]);
      expect(json).toEqual({ stdout: "[]\n", stderr: "", exitCode: 0 });
    });

    it("exits quietly with 130 on SIGINT and 143 on SIGTERM", async () => {
      const waiter = fleet.register(ids.sessionId, "waiter-signal");
      for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
      ] as const) {
        const proc = spawnPoll(["--agent-id", waiter, "--wait", "20"]);
        await Bun.sleep(500);
        proc.kill(signal);
        expect(await proc.exited).toBe(code);
        expect(await new Response(proc.stdout).text()).toBe("");
        expect(await new Response(proc.stderr).text()).toBe("");
      }
    });
  });

  describe("concurrent writers", () => {
    it("stores every one of 8 simultaneous sends, and lets exactly one of 6 racing acks win", async () => {
      const target = fleet.register(ids.sessionId, "busy");
      const sends = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          runCafleetAsync(
            [
              "--session-id",
              ids.sessionId,
              "send",
              "--agent-id",
              alice,
              "--to",
              target,
              "--text",
              `n${index}`,
            ],
            fleet.env,
          ),
        ),
      );
      for (const result of sends)
        expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
      const inbox = jsonIn<Task[]>("poll", "--agent-id", target);
      expect(inbox.map((task) => task.artifacts[0]!.parts[0]!.text).sort()).toEqual(
        Array.from({ length: 8 }, (_, index) => `n${index}`),
      );
      const taskId = inbox[0]!.id;
      const acks = await Promise.all(
        Array.from({ length: 6 }, () =>
          runCafleetAsync(
            ["--session-id", ids.sessionId, "ack", "--agent-id", target, "--task-id", taskId],
            fleet.env,
          ),
        ),
      );
      expect(acks.filter((result) => result.exitCode === 0)).toHaveLength(1);
      for (const result of acks.filter((r) => r.exitCode !== 0))
        expect(result.stderr).toBe("Error: Cannot ACK task in state completed\n");
    });
  });

  describe("ack, cancel, get-task", () => {
    it("acks with 'Message acknowledged.' and refuses the wrong agent or state", () => {
      const task = sendJson(alice, bob, "ack me").task;
      expectError(
        inSession("ack", "--agent-id", alice, "--task-id", task.id),
        "Only the recipient can ACK a task",
      );
      const result = inSession("ack", "--agent-id", bob, "--task-id", task.id);
      const acked = jsonIn<{ task: Task }>("get-task", "--agent-id", bob, "--task-id", task.id).task;
      expect(acked.status.state).toBe("completed");
      expect(result.stdout).toBe(`Message acknowledged.\n${block(acked)}\n`);
      expectError(
        inSession("ack", "--agent-id", bob, "--task-id", task.id),
        "Cannot ACK task in state completed",
      );
      expectError(inSession("ack", "--agent-id", bob, "--task-id", "nope"), "Task nope not found");
      expectError(
        inSession("ack", "--agent-id", "nobody", "--task-id", task.id),
        `Agent nobody not found in session ${ids.sessionId}`,
      );
      expectError(
        fleet.run([
          "--session-id",
          other.sessionId,
          "ack",
          "--agent-id",
          other.directorId,
          "--task-id",
          task.id,
        ]),
        `Task ${task.id} not found`,
      );
    });

    it("cancels with 'Task canceled.' and refuses the wrong agent or state", () => {
      const task = sendJson(alice, bob, "cancel me").task;
      expectError(
        inSession("cancel", "--agent-id", bob, "--task-id", task.id),
        "Only the sender can cancel a task",
      );
      const result = fleet.run([
        "--session-id",
        ids.sessionId,
        "--json",
        "cancel",
        "--agent-id",
        alice,
        "--task-id",
        task.id,
      ]);
      const canceled = JSON.parse(result.stdout) as { task: Task };
      expect(Object.keys(canceled)).toEqual(["task"]);
      expect(canceled.task.status.state).toBe("canceled");
      expect(canceled.task.status.timestamp > task.status.timestamp).toBe(true);
      expectError(
        inSession("cancel", "--agent-id", alice, "--task-id", task.id),
        "Cannot cancel task in state canceled",
      );
      expectError(
        inSession("ack", "--agent-id", bob, "--task-id", task.id),
        "Cannot ACK task in state canceled",
      );
      const text = sendJson(alice, bob, "cancel me too").task;
      const out = inSession("cancel", "--agent-id", alice, "--task-id", text.id).stdout;
      expect(out).toStartWith("Task canceled.\n  id:    ");
      expect(out).toContain("  state: canceled\n");
    });

    it("get-task prints only the block; summaries omit the to: line; other sessions see nothing", () => {
      const task = sendJson(alice, bob, "fetch me").task;
      expect(inSession("get-task", "--agent-id", ids.directorId, "--task-id", task.id).stdout).toBe(
        `${block(task)}\n`,
      );
      const summary = jsonIn<{ task: Task }[]>("broadcast", "--agent-id", alice, "--text", "b")[0]!.task;
      const shown = inSession("get-task", "--agent-id", alice, "--task-id", summary.id).stdout;
      expect(shown).not.toContain("to:");
      expect(shown).toContain("  type:  broadcast_summary\n");
      expectError(
        inSession("ack", "--agent-id", alice, "--task-id", summary.id),
        "Cannot ACK task in state completed",
      );
      expectError(
        inSession("ack", "--agent-id", bob, "--task-id", summary.id),
        "Only the recipient can ACK a task",
      );
      expectError(
        fleet.run([
          "--session-id",
          other.sessionId,
          "get-task",
          "--agent-id",
          other.directorId,
          "--task-id",
          task.id,
        ]),
        `Task ${task.id} not found`,
      );
    });

    it("omits the text: line when the text is empty", () => {
      const task = sendJson(alice, bob, "").task;
      expect(inSession("get-task", "--agent-id", bob, "--task-id", task.id).stdout).toBe(
        `  id:    ${task.id}\n  state: input_required\n  from:  ${alice}\n  to:    ${bob}\n  type:  unicast\n`,
      );
    });
  });
});
