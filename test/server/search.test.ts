import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { registerAgent } from "../../src/broker/agents.ts";
import { createSession } from "../../src/broker/sessions.ts";
import { sendBroadcast, sendUnicast, type Task } from "../../src/broker/tasks.ts";
import { SearchResults } from "../../src/server/model.ts";
import { errorBody, errorOf, type Fixture, makeFixture, sessionHeaders } from "./fixture.ts";

let fx: Fixture;
let review: Task;
let reply: Task;
let broadcastId: string;
let otherSessionId: string;

beforeAll(async () => {
  fx = await makeFixture();
  const send = (from: string, to: string, text: string) =>
    sendUnicast(fx.db, { sessionId: fx.sessionId, fromAgentId: from, toAgentId: to, text });
  review = send(fx.claudeId, fx.reviewerId, "Please review PR #42\nsecond line");
  reply = send(fx.reviewerId, fx.claudeId, "review done, two nits");
  broadcastId = sendBroadcast(fx.db, {
    sessionId: fx.sessionId,
    fromAgentId: fx.directorId,
    text: "review freeze at noon",
  }).summary.id;
  const other = createSession(fx.db, "other", { session: "main", windowId: "@0", paneId: "%0" });
  otherSessionId = other.session_id;
  const stranger = registerAgent(fx.db, {
    sessionId: otherSessionId,
    name: "x",
    description: "x",
    skills: [],
  });
  sendUnicast(fx.db, {
    sessionId: otherSessionId,
    fromAgentId: stranger.agent_id,
    toAgentId: other.director.agent_id,
    text: "review elsewhere",
  });
}, 60_000);
afterAll(() => fx.cleanup());

async function search(query: string, headers = sessionHeaders(fx)) {
  const response = await fx.request(`/ui/api/search?${query}`, { headers });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

const ids = (body: { messages: { task_id: string; origin_task_id: string | null }[] }) =>
  body.messages.map((hit) => hit.origin_task_id ?? hit.task_id);

describe("GET /ui/api/search", () => {
  it("answers the session's hits newest first, a broadcast once, in the SearchResults shape", async () => {
    const { status, type, body } = await search("q=review");
    expect(status).toBe(200);
    expect(type).toStartWith("application/json");
    expect(ids(body)).toEqual([broadcastId, reply.id, review.id]);
    expect([...Value.Errors(SearchResults, body)]).toEqual([]);
    expect(JSON.stringify(Value.Clean(SearchResults, structuredClone(body)))).toBe(JSON.stringify(body));
    expect(body.messages[2]).toMatchObject({
      task_id: review.id,
      from_agent_name: "Claude-A",
      to_agent_name: "reviewer-bot",
      body: "Please review PR #42\nsecond line",
      snippet: "Please review PR #42 second line",
      matches: [[7, 13]],
    });
  });

  it("filters by agent_id, limits, and treats an empty agent_id as none", async () => {
    expect(ids((await search(`q=review&agent_id=${fx.claudeId}`)).body)).toEqual([
      broadcastId,
      reply.id,
      review.id,
    ]);
    expect(ids((await search(`q=nits&agent_id=${fx.administratorId}`)).body)).toEqual([]);
    expect(ids((await search("q=review&limit=1")).body)).toEqual([broadcastId]);
    expect(ids((await search("q=review&limit=200&agent_id=")).body)).toHaveLength(3);
  });

  it("takes hostile text as words", async () => {
    for (const q of ['"', "*", "a OR", "NEAR(", "-x", "col:val", "日本語", "x".repeat(10_000)]) {
      const { status, body } = await search(`q=${encodeURIComponent(q)}`);
      expect([q.slice(0, 10), status, body]).toEqual([q.slice(0, 10), 200, { messages: [] }]);
    }
    expect(ids((await search(`q=${encodeURIComponent("#42")}`)).body)).toEqual([review.id]);
  });

  it("answers 400 for a missing or blank q and a bad limit, 404 for an unknown agent or session", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ["", sessionHeaders(fx), 400, "q query parameter required"],
      ["q=%20%20", sessionHeaders(fx), 400, "q query parameter required"],
      ...["0", "201", "-1", "1.5", "ten", ""].map(
        (limit): [string, Record<string, string>, number, string] => [
          `q=review&limit=${limit}`,
          sessionHeaders(fx),
          400,
          "limit must be an integer from 1 to 200",
        ],
      ),
      ["q=review&agent_id=nobody", sessionHeaders(fx), 404, "Agent not found"],
      [`q=review&agent_id=${fx.claudeId}`, { "X-Session-Id": otherSessionId }, 404, "Agent not found"],
      ["q=review", {}, 400, "X-Session-Id header required"],
      ["q=review", { "X-Session-Id": "nope" }, 404, "Session not found"],
    ];
    for (const [query, headers, status, message] of cases) {
      const response = await fx.request(`/ui/api/search?${query}`, { headers });
      expect([query, await errorOf(response)]).toEqual([query, { status, body: errorBody(message) }]);
    }
  });

  it("checks the session header before the query", async () => {
    expect(await errorOf(await fx.request("/ui/api/search"))).toEqual({
      status: 400,
      body: errorBody("X-Session-Id header required"),
    });
  });

  it("answers 405 for another method", async () => {
    const response = await fx.request("/ui/api/search?q=x", { method: "POST", headers: sessionHeaders(fx) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
  });
});
