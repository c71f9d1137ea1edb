/** The line a push types into a recipient's pane (tmux.md §5, §10). */
export function pushPollLine(sessionId: string, recipientId: string): string {
  return `cafleet --session-id ${sessionId} poll --agent-id ${recipientId}`;
}
