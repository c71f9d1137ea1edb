import { Elysia } from "elysia";
import { findSession } from "../../broker/sessions.ts";
import type { Database } from "../../store/database.ts";
import { HttpError } from "../http-error.ts";
import type { LiveFeed } from "../live.ts";
import type { Fleet, LiveEvent } from "../model.ts";

export const KEEP_ALIVE_MS = 15_000;

const encoder = new TextEncoder();

/** The page's live feed as Server-Sent Events (EventSource cannot send headers: a query parameter). */
function eventStream(live: LiveFeed, sessionId: string, signal: AbortSignal, keepAliveMs: number): Response {
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const push = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const unsubscribe = live.subscribe(sessionId, {
        change: (event: LiveEvent) => push(`event: change\ndata: ${JSON.stringify(event)}\n\n`),
        fleet: (fleet: Fleet) => push(`event: fleet\ndata: ${JSON.stringify(fleet)}\n\n`),
      });
      // A comment line now and then keeps proxies and idle timers from closing the stream.
      const keepAlive = setInterval(() => push(": keep-alive\n\n"), keepAliveMs);
      stop = () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
      signal.addEventListener("abort", stop, { once: true });
      push("retry: 1000\n: connected\n\n");
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}

export function eventRoutes(db: Database, live: LiveFeed, keepAliveMs = KEEP_ALIVE_MS) {
  return new Elysia({ strictPath: true }).get("/events", ({ query, request }) => {
    const sessionId = query.session_id;
    if (!sessionId) throw new HttpError(400, "session_id query parameter required");
    if (!findSession(db, sessionId)) throw new HttpError(404, "Session not found");
    return eventStream(live, sessionId, request.signal, keepAliveMs);
  });
}
