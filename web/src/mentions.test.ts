import { describe, expect, it } from "bun:test";
import type { Agent } from "./api.ts";
import { findActiveMention, insertMention, mentionCandidates, parseMessage, slug } from "./mentions.ts";

function agent(name: string, id = name): Agent {
  return { agent_id: id, name, description: "", status: "active", registered_at: "", kind: "user" };
}

const recipients = [agent("Claude-A"), agent("reviewer bot"), agent("Zed"), agent("zed!", "zed2")];

describe("slug", () => {
  it("replaces every run outside [A-Za-z0-9] with one dash and lowercases", () => {
    expect(slug("Claude  A__b")).toBe("claude-a-b");
    expect(slug("reviewer bot")).toBe("reviewer-bot");
    expect(slug("zed!")).toBe("zed-");
  });
});

describe("parseMessage", () => {
  it("takes leading mentions and keeps inner newlines of the trimmed body", () => {
    expect(parseMessage("  @claude-a   hi\n  there  ", recipients)).toEqual({
      ok: true,
      toAgentId: "Claude-A",
      body: "hi\n  there",
    });
    expect(parseMessage("@ALL hello", recipients)).toEqual({ ok: true, toAgentId: "*", body: "hello" });
  });

  it("words every refusal exactly", () => {
    const error = (text: string) => {
      const parsed = parseMessage(text, recipients);
      return parsed.ok ? "" : parsed.error;
    };
    expect(error("hi @claude-a")).toBe("Start the message with @<agent> or @all");
    expect(error("@claude-a, hi")).toBe("Start the message with @<agent> or @all");
    expect(error("@zed @all hi")).toBe("@all cannot be combined with other mentions");
    expect(error("@all   ")).toBe("Message body is empty");
    expect(error("@zed @claude-a hi")).toBe(
      "Multi-recipient unicast not supported in first cut; use @all for broadcast",
    );
    expect(error("@nobody hi")).toBe("No active agent named '@nobody'");
    expect(error("@Reviewer-Bot")).toBe("Message body is empty");
    expect(parseMessage("@zed hi", [...recipients, agent("ZED", "zed3")])).toEqual({
      ok: false,
      error: "Ambiguous mention '@zed'",
    });
  });
});

describe("autocomplete", () => {
  it("finds the mention the caret is in, only after start or whitespace", () => {
    expect(findActiveMention("@cla", 4)).toEqual({ start: 0, query: "cla" });
    expect(findActiveMention("hi @", 4)).toEqual({ start: 3, query: "" });
    expect(findActiveMention("mail@cla", 8)).toBeNull();
    expect(findActiveMention("@cla x", 6)).toBeNull();
  });

  it("offers all first, then agents by name, at most six", () => {
    expect(mentionCandidates("", recipients).map((c) => c.slug)).toEqual([
      "all",
      "claude-a",
      "reviewer-bot",
      "zed",
      "zed-",
    ]);
    expect(mentionCandidates("Z", recipients).map((c) => c.label)).toEqual(["Zed", "zed!"]);
    const many = Array.from({ length: 9 }, (_, index) => agent(`a${index}`));
    expect(mentionCandidates("a", many)).toHaveLength(6);
  });

  it("replaces the whole token with @slug and a space", () => {
    expect(insertMention("@clxyz rest", { start: 0, query: "cl" }, 3, "claude-a")).toEqual({
      text: "@claude-a  rest",
      caret: 10,
    });
  });
});
