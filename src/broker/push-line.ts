/**
 * The poll line a push or a nudge types into a recipient's pane (tmux.md §5 and §10): it starts
 * with `cafleet --session-id <session_id> poll --agent-id <recipient_id>`, so a Claude Code rule
 * `Bash(cafleet --session-id <session_id>:*)` approves it, and ends with `--new`, so the poll it
 * runs prints only what the recipient has not been shown (O(new), not the whole inbox).
 */
export function pushPollLine(sessionId: string, recipientId: string): string {
  return `cafleet --session-id ${sessionId} poll --agent-id ${recipientId} --new`;
}

/** The verb of the binary's own background nudger (`cafleet __nudge <session>`), not in help. */
export const NUDGE_COMMAND = "__nudge";
/** The host's relay (relay.ts): internal too. */
export const RELAY_COMMAND = "__relay";
