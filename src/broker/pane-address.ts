import { CafleetError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { hostFor, thisHost } from "./host.ts";

/**
 * Where a placement's pane lives and what runs in it (migrations.sql version 3). Kept out of the
 * normative Placement JSON: these are the push's facts, not the registry's.
 */
export type PaneAddress = {
  pane: string;
  /** The pane's tmux socket; null for placements made before version 3 (the caller's server). */
  server: string | null;
  /** `claude`, `codex`, or `unknown` (a Director whose REPL could not be told). */
  repl: string;
  /** The host the pane lives on; null for placements made before version 7 (this machine). */
  host: string | null;
};

export function findPaneAddress(db: Database, agentId: string): PaneAddress | null {
  const row = db
    .query(
      `SELECT tmux_pane_id AS pane, tmux_socket AS server, COALESCE(repl, coding_agent) AS repl, host
       FROM agent_placements WHERE agent_id = ? AND tmux_pane_id IS NOT NULL`,
    )
    .get(agentId) as PaneAddress | null;
  return row;
}

/** Stores the pane's server, REPL and host beside a placement that has just been given its pane. */
export function recordPaneServer(db: Database, agentId: string, server: string | null, repl: string): void {
  db.query("UPDATE agent_placements SET tmux_socket = ?, repl = ?, host = ? WHERE agent_id = ?").run(
    server,
    repl,
    hostFor(db),
    agentId,
  );
}

/** Whether a pane at `address` is this host's to type into (a NULL host is this machine's). */
export function isOnThisHost(address: { host: string | null }): boolean {
  return address.host === null || address.host === thisHost();
}

/**
 * The member's pane on its own tmux server, for a command that reads or types into it (member
 * capture, send-input, delete, respawn): refused when the pane lives on another host, whose tmux
 * this host cannot reach.
 */
export function memberPaneRef(
  db: Database,
  memberId: string,
  pane: string,
): { id: string; server: string | null } {
  const address = findPaneAddress(db, memberId);
  if (address && !isOnThisHost(address))
    throw new CafleetError(
      `member ${memberId}'s pane ${pane} is on host ${address.host}, and this is ${thisHost()}: run this command on ${address.host}.`,
    );
  return { id: pane, server: address?.server ?? null };
}
