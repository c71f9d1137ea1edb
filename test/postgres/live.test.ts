import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { openAnotherConnection } from "../../src/broker/db.ts";
import { sendUnicast } from "../../src/broker/tasks.ts";
import type { Database } from "../../src/store/database.ts";
import { eventsOf, readStream } from "../server/event-stream.ts";
import { type Fixture, makeFixture } from "../server/fixture.ts";

/**
 * The web timeline's live stream on PostgreSQL wakes on the change notification of another
 * connection's commit: with the feed's timer set to a minute, the event still arrives at once.
 */

let fx: Fixture;
let other: Database;
beforeAll(async () => {
  fx = await makeFixture({ backend: "postgres", keepAliveMs: 60_000, watchIntervalMs: 60_000 });
  other = openAnotherConnection(fx.db);
}, 60_000);
afterAll(() => {
  other.close();
  fx.cleanup();
}, 60_000);

describe("GET /ui/api/events on PostgreSQL", () => {
  it("streams another connection's send as soon as its notification arrives, not at the next tick", async () => {
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    expect(response.status).toBe(200);
    let sentAt = 0;
    let taskId = "";
    setTimeout(() => {
      taskId = sendUnicast(other, {
        sessionId: fx.sessionId,
        fromAgentId: fx.claudeId,
        toAgentId: fx.reviewerId,
        text: "over the notification",
      }).id;
      sentAt = performance.now();
    }, 300);
    const text = await readStream(response, (seen) => eventsOf(seen, "change").length > 0);
    const arrivedAfter = performance.now() - sentAt;
    const [change] = eventsOf<{ messages: { task_id: string; body: string }[] }>(text, "change");
    expect(change!.messages.map((message) => [message.task_id, message.body])).toEqual([
      [taskId, "over the notification"],
    ]);
    console.log(
      `live stream on PostgreSQL: the send's event arrived ${arrivedAfter.toFixed(0)} ms after its commit`,
    );
    expect(arrivedAfter).toBeLessThan(5000);
  }, 20_000);
});
