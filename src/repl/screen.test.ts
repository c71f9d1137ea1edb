import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyScreen, menuOptions, type ScreenState } from "./screen.ts";

/**
 * Screens captured from the real Claude Code 2.1.328, Codex 0.169.0, opencode 1.18.33 and
 * Gemini CLI 0.61.0 (test/fixtures/screens).
 */
function screen(name: string): string {
  return readFileSync(join(import.meta.dir, "../../test/fixtures/screens", `${name}.txt`), "utf8");
}

const claude = (name: string) => classifyScreen({ repl: "claude", command: "claude", screen: screen(name) });
const codex = (name: string) => classifyScreen({ repl: "codex", command: "codex", screen: screen(name) });

describe("Claude Code's screens", () => {
  it.each<[string, ScreenState]>([
    ["claude-idle-startup", { kind: "idle" }],
    ["claude-idle-after-turn", { kind: "idle" }],
    ["claude-permission-after-esc", { kind: "idle" }],
    ["claude-idle-typed", { kind: "draft", text: "draft text that is not submitted" }],
    ["claude-busy-tool", { kind: "busy", reason: "working" }],
    ["claude-busy-streaming", { kind: "busy", reason: "working" }],
    ["claude-busy-thinking", { kind: "busy", reason: "working" }],
    ["claude-permission-bash", { kind: "modal", reason: "permission prompt" }],
    ["claude-question-2-options", { kind: "modal", reason: "question" }],
    ["claude-question-3-options", { kind: "modal", reason: "question" }],
    ["claude-question-2-options-typing-row", { kind: "modal", reason: "question" }],
  ])("%s is %p", (name, state) => {
    expect(claude(name)).toEqual(state);
  });

  it("finds the Type something row by its number: 3 with two options, 4 with three", () => {
    const row = (name: string) =>
      menuOptions(screen(name)).find((option) => option.label === "Type something.");
    expect(row("claude-question-2-options")?.number).toBe(3);
    expect(row("claude-question-3-options")?.number).toBe(4);
    expect(menuOptions(screen("claude-question-2-options")).map((option) => option.label)).toEqual([
      "Red",
      "Blue",
      "Type something.",
      "Chat about this",
    ]);
  });
});

describe("Codex's screens", () => {
  it.each<[string, ScreenState]>([
    ["codex-idle-startup", { kind: "idle" }],
    ["codex-idle-after-turn", { kind: "idle" }],
    ["codex-approval-after-esc", { kind: "idle" }],
    ["codex-idle-typed", { kind: "draft", text: "draft text that is not submitted" }],
    ["codex-busy-tool", { kind: "busy", reason: "working" }],
    ["codex-busy-thinking", { kind: "busy", reason: "working" }],
    ["codex-approval-shell", { kind: "modal", reason: "approval" }],
  ])("%s is %p", (name, state) => {
    expect(codex(name)).toEqual(state);
  });

  it("shows its idle prompt while text streams: only the spinner in its pane title tells", () => {
    const titles = Object.fromEntries(
      readFileSync(join(import.meta.dir, "../../test/fixtures/screens/codex-titles.tsv"), "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split("\t") as [string, string]),
    );
    const withTitle = (name: string) =>
      classifyScreen({
        repl: "codex",
        command: "codex",
        screen: screen(`codex-${name}`),
        title: titles[name],
      });
    expect(codex("codex-busy-streaming")).toEqual({ kind: "idle" });
    expect(withTitle("busy-streaming")).toEqual({ kind: "busy", reason: "streaming" });
    expect(withTitle("idle-after-turn")).toEqual({ kind: "idle" });
    expect(withTitle("approval-shell")).toEqual({ kind: "modal", reason: "approval" });
    expect(withTitle("busy-tool")).toEqual({ kind: "busy", reason: "working" });
  });
});

describe("any pane", () => {
  it("reads a REPL it was not told about by trying both grammars", () => {
    const unknown = (name: string) =>
      classifyScreen({ repl: "unknown", command: "node", screen: screen(name) });
    expect(unknown("claude-permission-bash")).toEqual({ kind: "modal", reason: "permission prompt" });
    expect(unknown("codex-approval-shell")).toEqual({ kind: "modal", reason: "approval" });
    expect(unknown("claude-idle-after-turn")).toEqual({ kind: "idle" });
  });

  it("calls a plain shell a shell, and anything else unrecognised", () => {
    expect(classifyScreen({ repl: "unknown", command: "bash", screen: "$ make test\nok\n$ " })).toEqual({
      kind: "shell",
    });
    expect(classifyScreen({ repl: "claude", command: "vim", screen: "~\n~\n-- INSERT --" })).toEqual({
      kind: "unknown",
      reason: "unrecognised screen",
    });
    expect(classifyScreen({ repl: "claude", command: "claude", screen: "" })).toEqual({
      kind: "unknown",
      reason: "unrecognised screen",
    });
  });

  it("holds a shell whose screen shows a REPL's dialog", () => {
    const state = classifyScreen({
      repl: "unknown",
      command: "bash",
      screen: screen("claude-permission-bash"),
    });
    expect(state).toEqual({ kind: "modal", reason: "permission prompt" });
  });
});

describe("Gemini CLI's and opencode's screens", () => {
  const read = (repl: string, name: string) =>
    classifyScreen({ repl, command: repl === "gemini" ? "node" : repl, screen: screen(name) });
  it.each<[string, string, ScreenState]>([
    ["gemini", "gemini-0.61.0-idle", { kind: "idle" }],
    ["gemini", "gemini-0.61.0-busy", { kind: "busy", reason: "working" }],
    ["gemini", "gemini-0.61.0-trust-dialog", { kind: "modal", reason: "dialog" }],
    ["gemini", "gemini-0.61.0-idle-startup", { kind: "idle" }],
    ["gemini", "gemini-0.61.0-idle-after-turn", { kind: "idle" }],
    ["gemini", "gemini-0.61.0-idle-typed", { kind: "draft", text: "draft text that is not submitted" }],
    ["gemini", "gemini-0.61.0-busy-streaming", { kind: "busy", reason: "working" }],
    ["gemini", "gemini-0.61.0-busy-thinking", { kind: "busy", reason: "working" }],
    ["gemini", "gemini-0.61.0-permission-shell", { kind: "modal", reason: "permission prompt" }],
    ["gemini", "gemini-0.61.0-permission-after-esc", { kind: "idle" }],
    ["opencode", "opencode-1.18.33-idle", { kind: "idle" }],
    ["opencode", "opencode-1.18.33-idle-startup", { kind: "idle" }],
    ["opencode", "opencode-1.18.33-idle-after-turn", { kind: "idle" }],
    ["opencode", "opencode-1.18.33-idle-typed", { kind: "draft", text: "draft text that is not submitted" }],
    ["opencode", "opencode-1.18.33-busy-tool", { kind: "busy", reason: "working" }],
    ["opencode", "opencode-1.18.33-busy-streaming", { kind: "busy", reason: "working" }],
    ["opencode", "opencode-1.18.33-busy-thinking", { kind: "busy", reason: "working" }],
    ["opencode", "opencode-1.18.33-permission-shell", { kind: "modal", reason: "permission prompt" }],
    ["opencode", "opencode-1.18.33-permission-after-esc", { kind: "idle" }],
  ])("%s: %s is %p", (repl, name, state) => {
    expect(read(repl, name)).toEqual(state);
  });
});
