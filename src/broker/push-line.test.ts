import { describe, expect, it } from "bun:test";
import { parseArgv } from "../cli/parse.ts";
import { pushPollLine } from "./push-line.ts";

const SESSION = "550e8400-e29b-41d4-a716-446655440000";
const AGENT = "7ba9c0de-1f2a-4b3c-8d4e-5f6a7b8c9d0e";

describe("pushPollLine", () => {
  it("is the reference's poll line with --new appended (tmux.md §10)", () => {
    expect(pushPollLine(SESSION, AGENT)).toBe(
      `cafleet --session-id ${SESSION} poll --agent-id ${AGENT} --new`,
    );
    expect(pushPollLine(SESSION, AGENT)).toStartWith(
      `cafleet --session-id ${SESSION} poll --agent-id ${AGENT}`,
    );
  });

  it("stays inside the Claude Code rule Bash(cafleet --session-id <SID>:*)", () => {
    // Claude Code's `:*` suffix is a prefix match on the command text.
    expect(pushPollLine(SESSION, AGENT).startsWith(`cafleet --session-id ${SESSION}`)).toBe(true);
  });

  it("parses as poll --new for the recipient with the real CLI parser", () => {
    const parsed = parseArgv(pushPollLine(SESSION, AGENT).split(" ").slice(1));
    if (parsed.kind !== "command") throw new Error(`not a command: ${parsed.kind}`);
    expect([parsed.path, parsed.sessionId, parsed.json]).toEqual(["poll", SESSION, false]);
    expect([parsed.options.agentId, parsed.options.new, parsed.options.unread]).toEqual([AGENT, true, false]);
  });
});
