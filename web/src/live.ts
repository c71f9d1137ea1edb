import { eventsUrl, type Fleet, type LiveEvent } from "./api.ts";

/**
 * Follows the server's event stream for a session. When the stream drops it reconnects with
 * backoff and asks the page to refetch, since events may have been missed meanwhile.
 */

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export function followSession(
  sessionId: string,
  handlers: { onEvent: (event: LiveEvent) => void; onFleet: (fleet: Fleet) => void; onResync: () => void },
): () => void {
  let source: EventSource | null = null;
  let retryMs = FIRST_RETRY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let dropped = false;

  const connect = () => {
    source = new EventSource(eventsUrl(sessionId));
    source.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      if (dropped) handlers.onResync();
      dropped = false;
    };
    source.addEventListener("change", (message) => {
      handlers.onEvent(JSON.parse((message as MessageEvent<string>).data) as LiveEvent);
    });
    source.addEventListener("fleet", (message) => {
      handlers.onFleet(JSON.parse((message as MessageEvent<string>).data) as Fleet);
    });
    source.onerror = () => {
      source?.close();
      source = null;
      dropped = true;
      if (stopped) return;
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
  };
  connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
