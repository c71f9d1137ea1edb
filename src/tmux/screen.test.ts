import { describe, expect, it } from "bun:test";
import { classifyScreen } from "./screen.ts";

const CLAUDE_IDLE = `● Done. The tests pass.

╭──────────────────────────────────────────────────────────────╮
│ >                                                            │
╰──────────────────────────────────────────────────────────────╯
  ? for shortcuts
`;
const CLAUDE_BUSY = `● Reading src/broker/notify.ts

✻ Pondering… (12s · ↑ 1.2k tokens · esc to interrupt)

╭──────────────────────────────────────────────────────────────╮
│ >                                                            │
╰──────────────────────────────────────────────────────────────╯
`;
const CODEX_IDLE = `codex
Updated 2 files.

› Ask Codex to do anything
`;
const CODEX_BUSY = `• Working (8s • Esc to interrupt)

› Ask Codex to do anything
`;

describe("classifyScreen", () => {
  it("recognises Claude Code's input box as idle and its working hint as busy", () => {
    expect(classifyScreen("claude", CLAUDE_IDLE)).toBe("idle");
    expect(classifyScreen("claude", CLAUDE_BUSY)).toBe("busy");
  });

  it("recognises Codex's prompt as idle and its working hint as busy", () => {
    expect(classifyScreen("codex", CODEX_IDLE)).toBe("idle");
    expect(classifyScreen("codex", CODEX_BUSY)).toBe("busy");
  });

  it("counts an open AskUserQuestion frame as busy: the line would land in its answer", () => {
    const frame = `Which database should I use?\n❯ 1. SQLite\n  2. Postgres\n  3. Both\n  4. Type something.\n`;
    expect(classifyScreen("claude", frame)).toBe("busy");
  });

  it("calls an empty or unknown screen unknown, which the push treats as idle", () => {
    expect(classifyScreen("claude", "")).toBe("unknown");
    expect(classifyScreen("codex", "$ make test\nok\n")).toBe("unknown");
  });

  it("looks only at the bottom of the screen: a hint scrolled far up is history", () => {
    const history = `✻ Working… (esc to interrupt)\n${"line\n".repeat(30)}│ > \n`;
    expect(classifyScreen("claude", history)).toBe("idle");
  });
});
