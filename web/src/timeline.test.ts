import { describe, expect, it } from "bun:test";
import type { Message } from "./api.ts";
import {
  groupEntries,
  layoutEntries,
  mergeMessages,
  reconcileMessages,
  relativeTime,
  reuseEntries,
} from "./timeline.ts";

function row(id: string, from: string, createdAt: string, extra: Partial<Message> = {}): Message {
  return {
    task_id: id,
    from_agent_id: from,
    from_agent_name: from,
    to_agent_id: "to",
    to_agent_name: "to",
    type: "unicast",
    status: "input_required",
    created_at: createdAt,
    status_timestamp: createdAt,
    origin_task_id: null,
    body: `body ${id}`,
    reply_to_task_id: null,
    notified_at: null,
    notify_failed_at: null,
    notify_error: null,
    fetched_at: null,
    nudge_count: 0,
    held_at: null,
    held_reason: null,
    last_nudged_at: null,
    ...extra,
  };
}

const at = (hours: number, minutes = 0) => new Date(2026, 10, 30, hours, minutes).toISOString();

describe("keeping unchanged rows and entries", () => {
  it("keeps the shown object of a row that an event or a refetch repeats unchanged", () => {
    const shown = [row("a", "x", at(9)), row("b", "x", at(10))];
    const merged = mergeMessages(shown, [{ ...shown[0]! }, { ...shown[1]!, status: "completed" }]);
    expect(merged[0]).toBe(shown[0]!);
    expect(merged[1]).not.toBe(shown[1]!);
    expect(merged[1]!.status).toBe("completed");
    const refetched = reconcileMessages(merged, [{ ...shown[0]! }, row("c", "y", at(11))]);
    expect(refetched.map((message) => message.task_id)).toEqual(["a", "c"]);
    expect(refetched[0]).toBe(shown[0]!);
  });

  it("keeps the entry objects whose rows are the same objects", () => {
    const rows = [row("a", "x", at(9)), row("b", "x", at(10))];
    const first = groupEntries(rows);
    const next = reuseEntries(first, groupEntries([rows[0]!, { ...rows[1]!, status: "completed" }]));
    expect(next[0]).toBe(first[0]!);
    expect(next[1]).not.toBe(first[1]!);
  });
});

describe("layoutEntries", () => {
  it("puts day breaks, groups one sender's run within five minutes and places the unread divider", () => {
    const entries = groupEntries([
      row("a", "x", new Date(2026, 10, 28, 23, 58).toISOString()),
      row("b", "x", at(0, 1)),
      row("c", "x", at(0, 4)),
      row("d", "x", at(0, 10)),
      row("e", "self", at(0, 11)),
      row("f", "y", at(0, 12)),
    ]);
    const layout = layoutEntries(entries, Date.parse(at(12)), at(0, 10), "self");
    expect(entries.map((entry) => layout.get(entry.key))).toEqual([
      { dayBreak: "Saturday, November 28, 2026", grouped: false, unreadBefore: false },
      { dayBreak: "Today", grouped: false, unreadBefore: false },
      { dayBreak: null, grouped: true, unreadBefore: false },
      { dayBreak: null, grouped: false, unreadBefore: false },
      // The reader's own message is never unread.
      { dayBreak: null, grouped: false, unreadBefore: false },
      { dayBreak: null, grouped: false, unreadBefore: true },
    ]);
    expect(layoutEntries(entries, Date.parse(at(12)), null, "self").get("f")?.unreadBefore).toBe(false);
  });

  it("words relative times", () => {
    const now = Date.parse(at(12));
    expect(
      [at(12), at(11, 59), at(11, 15), at(9), new Date(2026, 10, 27, 12).toISOString()].map((iso) =>
        relativeTime(iso, now),
      ),
    ).toEqual(["just now", "1 min ago", "45 min ago", "3 h ago", "3 d ago"]);
  });
});
