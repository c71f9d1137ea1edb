import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { deregisterAgent, registerAgent } from "../../src/broker/agents.ts";
import { createSession, deleteSession } from "../../src/broker/sessions.ts";
import { ackTask, cancelTask, sendUnicast } from "../../src/broker/tasks.ts";
import { AgentScreen, Agents, Fleet, Messages, SendResult, Sessions } from "../../src/server/model.ts";
import { describeEachBackend } from "../support/backends.ts";
import { errorBody, errorOf, type Fixture, makeFixture, postJson, sessionHeaders } from "./fixture.ts";

describeEachBackend("the web API", (backend) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await makeFixture({ backend });
  }, 60_000);
  afterAll(() => fx.cleanup());

  const MESSAGE_KEYS = [
    "task_id",
    "from_agent_id",
    "from_agent_name",
    "to_agent_id",
    "to_agent_name",
    "type",
    "status",
    "created_at",
    "status_timestamp",
    "origin_task_id",
    "body",
    // The delivery facts come after the webui.md §3 keys.
    "reply_to_task_id",
    "notified_at",
    "notify_failed_at",
    "notify_error",
    "fetched_at",
    "nudge_count",
    "held_at",
    "held_reason",
    "last_nudged_at",
  ];

  async function getJson(path: string, headers: Record<string, string> = sessionHeaders(fx)) {
    const response = await fx.request(path, { headers });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: await response.json(),
    };
  }

  describe("GET /ui/api/sessions", () => {
    it("lists live sessions with their active agent count, in key order", async () => {
      const { status, type, body } = await getJson("/ui/api/sessions", {});
      expect(status).toBe(200);
      expect(type).toStartWith("application/json");
      expect(body).toHaveLength(1);
      expect(Object.keys(body[0])).toEqual(["session_id", "label", "created_at", "agent_count"]);
      expect(body[0]).toMatchObject({ session_id: fx.sessionId, label: "demo", agent_count: 4 });
    });
  });

  describe("X-Session-Id", () => {
    it("is required on session-scoped endpoints", async () => {
      for (const path of [
        "/ui/api/agents",
        "/ui/api/timeline",
        `/ui/api/agents/${fx.claudeId}/inbox`,
        "/ui/api/fleet",
        `/ui/api/agents/${fx.claudeId}/screen`,
      ]) {
        expect(await errorOf(await fx.request(path))).toEqual({
          status: 400,
          body: errorBody("X-Session-Id header required"),
        });
        expect(await errorOf(await fx.request(path, { headers: { "X-Session-Id": "" } }))).toEqual({
          status: 400,
          body: errorBody("X-Session-Id header required"),
        });
      }
    });

    it("answers 404 Session not found for an unknown id, whatever the header's case", async () => {
      const response = await fx.request("/ui/api/agents", { headers: { "x-SESSION-id": "nope" } });
      expect(await errorOf(response)).toEqual({ status: 404, body: errorBody("Session not found") });
      const ok = await fx.request("/ui/api/agents", { headers: { "x-session-ID": fx.sessionId } });
      expect(ok.status).toBe(200);
    });
  });

  describe("GET /ui/api/agents", () => {
    it("lists active agents and deregistered ones that appear in a task, with kind", async () => {
      const gone = registerAgent(fx.db, {
        sessionId: fx.sessionId,
        name: "gone",
        description: "d",
        skills: [],
      });
      const silent = registerAgent(fx.db, {
        sessionId: fx.sessionId,
        name: "silent",
        description: "d",
        skills: [],
      });
      sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: gone.agent_id,
        toAgentId: fx.claudeId,
        text: "bye",
      });
      deregisterAgent(fx.db, gone.agent_id);
      deregisterAgent(fx.db, silent.agent_id);
      const { status, body } = await getJson("/ui/api/agents");
      expect(status).toBe(200);
      expect(Object.keys(body)).toEqual(["agents"]);
      expect(Object.keys(body.agents[0])).toEqual([
        "agent_id",
        "name",
        "description",
        "status",
        "registered_at",
        "kind",
      ]);
      expect(
        body.agents.map((a: { name: string; status: string; kind: string }) => [a.name, a.status, a.kind]),
      ).toEqual([
        ["Director", "active", "user"],
        ["Administrator", "active", "builtin-administrator"],
        ["Claude-A", "active", "user"],
        ["reviewer-bot", "active", "user"],
        ["gone", "deregistered", "user"],
      ]);
    });
  });

  describe("inbox and sent", () => {
    it("return Message objects newest first, names joined, summaries excluded", async () => {
      const first = await postJson(fx, "/ui/api/messages/send", {
        from_agent_id: fx.administratorId,
        to_agent_id: fx.reviewerId,
        text: "Please review PR #42\nsecond line",
      });
      expect(first.status).toBe(200);
      const broadcast = await postJson(fx, "/ui/api/messages/send", {
        from_agent_id: fx.administratorId,
        to_agent_id: "*",
        text: "all hands",
      });
      const summaryId = (await broadcast.json()).task_id;
      const inbox = await getJson(`/ui/api/agents/${fx.reviewerId}/inbox`);
      expect(inbox.status).toBe(200);
      expect(inbox.body.messages.map((m: { body: string }) => m.body)).toEqual([
        "all hands",
        "Please review PR #42\nsecond line",
      ]);
      const [latest, older] = inbox.body.messages;
      expect(Object.keys(latest)).toEqual(MESSAGE_KEYS);
      expect(latest).toMatchObject({
        from_agent_id: fx.administratorId,
        from_agent_name: "Administrator",
        to_agent_id: fx.reviewerId,
        to_agent_name: "reviewer-bot",
        type: "unicast",
        status: "input_required",
        origin_task_id: summaryId,
      });
      expect(older.origin_task_id).toBeNull();
      expect(older.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      const sent = await getJson(`/ui/api/agents/${fx.administratorId}/sent`);
      expect(sent.body.messages.some((m: { task_id: string }) => m.task_id === summaryId)).toBe(false);
      expect(
        sent.body.messages.filter((m: { origin_task_id: string }) => m.origin_task_id === summaryId),
      ).toHaveLength(3);
    });

    it("accept a deregistered agent of the session and refuse agents of other sessions", async () => {
      const agents = (await getJson("/ui/api/agents")).body.agents as { agent_id: string; name: string }[];
      const gone = agents.find((agent) => agent.name === "gone")!;
      const inbox = await getJson(`/ui/api/agents/${gone.agent_id}/sent`);
      expect(inbox.status).toBe(200);
      expect(inbox.body.messages.map((m: { body: string }) => m.body)).toEqual(["bye"]);
      for (const path of ["/ui/api/agents/not-an-agent/inbox", `/ui/api/agents/${crypto.randomUUID()}/sent`])
        expect(await errorOf(await fx.request(path, { headers: sessionHeaders(fx) }))).toEqual({
          status: 404,
          body: errorBody("Agent not found"),
        });
    });
  });

  describe("GET /ui/api/timeline", () => {
    it("lists the session's deliveries newest first with their current status", async () => {
      const task = sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "will be acked",
      });
      ackTask(fx.db, { sessionId: fx.sessionId, agentId: fx.reviewerId, taskId: task.id });
      const canceled = sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "retracted",
      });
      cancelTask(fx.db, { sessionId: fx.sessionId, agentId: fx.claudeId, taskId: canceled.id });
      const { status, body } = await getJson("/ui/api/timeline");
      expect(status).toBe(200);
      const [newest, second] = body.messages;
      expect([newest.body, newest.status]).toEqual(["retracted", "canceled"]);
      expect([second.body, second.status]).toEqual(["will be acked", "completed"]);
      const stamps = body.messages.map((m: { status_timestamp: string }) => m.status_timestamp);
      expect(stamps).toEqual([...stamps].sort().reverse());
      expect(body.messages.every((m: { type: string }) => m.type === "unicast")).toBe(true);
    });

    it("stops at 200 messages", async () => {
      for (let index = 0; index < 210; index++)
        sendUnicast(fx.db, {
          sessionId: fx.sessionId,
          fromAgentId: fx.claudeId,
          toAgentId: fx.reviewerId,
          text: `n${index}`,
        });
      const { body } = await getJson("/ui/api/timeline");
      expect(body.messages).toHaveLength(200);
      expect(body.messages[0].body).toBe("n209");
    });
  });

  describe("POST /ui/api/messages/send", () => {
    const send = (body: unknown, headers?: Record<string, string>) =>
      postJson(fx, "/ui/api/messages/send", body, headers);

    it("stores a unicast with its text verbatim", async () => {
      const response = await send({
        from_agent_id: fx.administratorId,
        to_agent_id: fx.directorId,
        text: "  a\nb  ",
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(Object.keys(body)).toEqual(["task_id", "status"]);
      expect(body.status).toBe("input_required");
      const row = fx.db
        .query("SELECT context_id, task_json FROM tasks WHERE task_id = ?")
        .get(body.task_id) as {
        context_id: string;
        task_json: string;
      };
      expect(row.context_id).toBe(fx.directorId);
      expect(JSON.parse(row.task_json).artifacts[0].parts[0].text).toBe("  a\nb  ");
    });

    it("broadcasts with to_agent_id * and answers the summary id", async () => {
      const response = await send({ from_agent_id: fx.administratorId, to_agent_id: "*", text: "hello all" });
      const body = await response.json();
      expect([response.status, body.status]).toEqual([200, "completed"]);
      const rows = fx.db
        .query("SELECT context_id FROM tasks WHERE origin_task_id = ? AND type = 'unicast'")
        .all(body.task_id) as { context_id: string }[];
      expect(rows.map((row) => row.context_id).sort()).toEqual(
        [fx.directorId, fx.claudeId, fx.reviewerId].sort(),
      );
    });

    it("threads a reply under a task of the session (reply_to)", async () => {
      const asked = sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "which branch?",
      });
      const response = await send({
        from_agent_id: fx.reviewerId,
        to_agent_id: fx.claudeId,
        text: "main",
        reply_to: asked.id,
      });
      expect(response.status).toBe(200);
      const { task_id } = await response.json();
      expect(
        fx.db
          .query("SELECT context_id, from_agent_id, reply_to_task_id FROM tasks WHERE task_id = ?")
          .get(task_id),
      ).toEqual({ context_id: fx.claudeId, from_agent_id: fx.reviewerId, reply_to_task_id: asked.id });
      const timeline = (await getJson("/ui/api/timeline")).body.messages as {
        task_id: string;
        reply_to_task_id: string | null;
      }[];
      expect(timeline.find((message) => message.task_id === task_id)?.reply_to_task_id).toBe(asked.id);
      expect(timeline.find((message) => message.task_id === asked.id)?.reply_to_task_id).toBeNull();
    });

    it("answers 404 with the broker's message for a reply_to task that is unknown or another session's, storing nothing", async () => {
      const elsewhere = createSession(fx.db, null, { session: "x", windowId: "@9", paneId: "%99" });
      fx.db
        .query("UPDATE agent_placements SET tmux_pane_id = NULL WHERE agent_id = ?")
        .run(elsewhere.director.agent_id);
      const foreign = sendUnicast(fx.db, {
        sessionId: elsewhere.session_id,
        fromAgentId: elsewhere.administrator_agent_id,
        toAgentId: elsewhere.director.agent_id,
        text: "not yours",
      });
      const count = () => (fx.db.query("SELECT COUNT(*) AS n FROM tasks").get() as { n: number }).n;
      const before = count();
      for (const replyTo of [crypto.randomUUID(), foreign.id, "junk"])
        expect(
          await errorOf(
            await send({
              from_agent_id: fx.reviewerId,
              to_agent_id: fx.claudeId,
              text: "x",
              reply_to: replyTo,
            }),
          ),
        ).toEqual({ status: 404, body: errorBody(`Task ${replyTo} not found`) });
      expect(count()).toBe(before);
      deleteSession(fx.db, elsewhere.session_id);
    });

    it("answers 400 for a reply_to on a broadcast, storing nothing", async () => {
      const asked = sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "anyone?",
      });
      const count = () => (fx.db.query("SELECT COUNT(*) AS n FROM tasks").get() as { n: number }).n;
      const before = count();
      expect(
        await errorOf(
          await send({ from_agent_id: fx.reviewerId, to_agent_id: "*", text: "all", reply_to: asked.id }),
        ),
      ).toEqual({
        status: 400,
        body: errorBody(
          'reply_to needs a single recipient: send the reply to one agent, not to_agent_id "*"',
        ),
      });
      expect(count()).toBe(before);
    });

    it("refuses a sender that is not an active agent of the session", async () => {
      for (const from of [crypto.randomUUID(), "junk"])
        expect(
          await errorOf(await send({ from_agent_id: from, to_agent_id: fx.claudeId, text: "x" })),
        ).toEqual({
          status: 400,
          body: errorBody("from_agent not in session"),
        });
      expect(await errorOf(await send({ from_agent_id: "junk", to_agent_id: "*", text: "x" }))).toEqual({
        status: 400,
        body: errorBody("from_agent not in session"),
      });
    });

    it("answers 404 Agent not found for unknown, deregistered, foreign or malformed recipients", async () => {
      const gone = registerAgent(fx.db, {
        sessionId: fx.sessionId,
        name: "gone2",
        description: "d",
        skills: [],
      });
      deregisterAgent(fx.db, gone.agent_id);
      for (const to of [crypto.randomUUID(), gone.agent_id, "not-a-uuid"])
        expect(
          await errorOf(await send({ from_agent_id: fx.administratorId, to_agent_id: to, text: "x" })),
        ).toEqual({
          status: 404,
          body: errorBody("Agent not found"),
        });
    });

    it("answers 422 for a missing or non-string field and for invalid JSON", async () => {
      for (const body of [
        { from_agent_id: fx.administratorId, to_agent_id: fx.claudeId },
        { from_agent_id: fx.administratorId, to_agent_id: fx.claudeId, text: 5 },
        "{not json",
        "",
      ]) {
        const response = await send(body);
        expect(response.status).toBe(422);
        const error = await response.json();
        expect(Object.keys(error)).toEqual(["detail", "error"]);
        expect(error.detail).toBe(error.error);
      }
    });

    it("checks the session header before the body", async () => {
      expect(await errorOf(await send("{not json", {}))).toEqual({
        status: 400,
        body: errorBody("X-Session-Id header required"),
      });
      expect(await errorOf(await send("{not json", { "X-Session-Id": "nope" }))).toEqual({
        status: 404,
        body: errorBody("Session not found"),
      });
    });

    it("answers 413 for a body over 1 MiB", async () => {
      const text = "x".repeat(1024 * 1024 + 10);
      const response = await send({ from_agent_id: fx.administratorId, to_agent_id: fx.claudeId, text });
      expect(await errorOf(response)).toEqual({ status: 413, body: errorBody("Request body too large") });
      // Without a Content-Length the route measures what it read.
      const streamed = await fx.request("/ui/api/messages/send", {
        method: "POST",
        headers: sessionHeaders(fx),
        body: new Blob([
          JSON.stringify({ from_agent_id: fx.administratorId, to_agent_id: fx.claudeId, text }),
        ]).stream(),
      });
      expect(streamed.status).toBe(413);
    });

    it("accepts a soft-deleted session's header (the row exists)", async () => {
      const other = createSession(fx.db, null, { session: "main", windowId: "@0", paneId: "%999" });
      deleteSession(fx.db, other.session_id);
      const agents = await getJson("/ui/api/agents", { "X-Session-Id": other.session_id });
      expect(agents.status).toBe(200);
      const sessions = await getJson("/ui/api/sessions", {});
      expect(sessions.body.map((s: { session_id: string }) => s.session_id)).toEqual([fx.sessionId]);
    });
  });

  describe("the contract (src/server/model.ts)", () => {
    it("is what every JSON route answers, key for key", async () => {
      sendUnicast(fx.db, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "c",
      });
      const sent = await postJson(fx, "/ui/api/messages/send", {
        from_agent_id: fx.administratorId,
        to_agent_id: fx.claudeId,
        text: "contract",
      });
      const answers: [string, TSchema, unknown][] = [
        ["sessions", Sessions, (await getJson("/ui/api/sessions")).body],
        ["agents", Agents, (await getJson("/ui/api/agents")).body],
        ["timeline", Messages, (await getJson("/ui/api/timeline")).body],
        ["inbox", Messages, (await getJson(`/ui/api/agents/${fx.claudeId}/inbox`)).body],
        ["sent", Messages, (await getJson(`/ui/api/agents/${fx.claudeId}/sent`)).body],
        ["send", SendResult, await sent.json()],
        ["fleet", Fleet, (await getJson("/ui/api/fleet")).body],
        ["screen", AgentScreen, (await getJson(`/ui/api/agents/${fx.directorId}/screen`)).body],
      ];
      for (const [name, schema, body] of answers) {
        expect([
          name,
          [...Value.Errors(schema, body)].map((error) => `${error.path}: ${error.message}`),
        ]).toEqual([name, []]);
        // No key the contract does not name (the schemas do not forbid extra keys themselves).
        expect([name, JSON.stringify(Value.Clean(schema, structuredClone(body)))]).toEqual([
          name,
          JSON.stringify(body),
        ]);
      }
      expect((answers[2]![2] as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
    });
  });
});
