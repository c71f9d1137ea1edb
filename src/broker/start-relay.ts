import type { Database } from "../store/database.ts";
import { hasLiveRelay } from "./delivery.ts";
import { startDetached } from "./detached.ts";
import { hostFor } from "./host.ts";
import { RELAY_COMMAND } from "./push-line.ts";

/**
 * Starts this host's relay (relay.ts) unless one holds the lease: called where a pane is placed
 * on this host. Only a store other hosts can share has one: a SQLite file is one machine's.
 */
export function startRelay(db: Database): void {
  const host = hostFor(db);
  if (host === null || hasLiveRelay(db, host)) return;
  startDetached([RELAY_COMMAND]);
}
