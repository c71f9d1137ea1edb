/**
 * How far the reader has read each session's timeline (the newest sort key seen at the bottom),
 * kept in this browser so the unread divider survives a reload.
 */
const KEY_PREFIX = "cafleet.seen.";

export function readSeen(sessionId: string): string | null {
  try {
    return localStorage.getItem(KEY_PREFIX + sessionId);
  } catch {
    return null;
  }
}

export function markSeen(sessionId: string, sortKey: string): void {
  try {
    const previous = localStorage.getItem(KEY_PREFIX + sessionId);
    if (previous === null || sortKey > previous) localStorage.setItem(KEY_PREFIX + sessionId, sortKey);
  } catch {
    // storage refused (private mode, quota): the divider just starts from nothing next time
  }
}
