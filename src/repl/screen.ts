/**
 * Reads a pane's screen the way a person would: is the REPL waiting at an empty prompt, busy,
 * or showing something that must be answered by a human (a modal)? Pushes type only into a
 * recognised idle prompt (tmux.md §10), so every rule here errs towards "not idle".
 * The lines each rule keys on were read off the real Claude Code, Codex, opencode and Gemini
 * CLI (test/fixtures/screens/).
 */

export type HoldReason =
  | "permission prompt"
  | "question"
  | "approval"
  | "dialog"
  | "working"
  | "streaming"
  | "draft in input box"
  | "unrecognised screen";

export type ScreenState =
  | { kind: "idle" }
  | { kind: "shell" }
  | { kind: "draft"; text: string }
  | { kind: "busy"; reason: HoldReason }
  | { kind: "modal"; reason: HoldReason }
  | { kind: "unknown"; reason: HoldReason };

/** Why a screen that is not an idle prompt holds a push (and what `member delete` reports it cleared). */
export function holdReasonOf(state: ScreenState): HoldReason {
  if ("reason" in state) return state.reason;
  return state.kind === "draft" ? "draft in input box" : "unrecognised screen";
}

export type MenuOption = { number: number; label: string; selected: boolean };

const SHELLS = new Set(["bash", "zsh", "sh", "dash", "fish", "ksh", "mksh", "tcsh", "csh", "ash", "nu"]);

/** The numbered rows of a menu: `❯ 1. Yes`, `  2. No`, `› 1. Yes, proceed (y)`. */
const MENU_ROW = /^\s*(?:│\s*)?([❯›>]\s*)?(\d{1,2})\.\s+(.+?)\s*(?:│\s*)?$/;

export function menuOptions(screen: string): MenuOption[] {
  const options: MenuOption[] = [];
  for (const line of bottomLines(screen, 40)) {
    const match = MENU_ROW.exec(line);
    if (match) options.push({ number: Number(match[2]), label: match[3]!, selected: match[1] !== undefined });
  }
  // Only a run that starts at 1 with one row selected is a menu; numbered text in a reply is not.
  const start = options.findLastIndex((option) => option.number === 1);
  if (start < 0) return [];
  const run = options.slice(start).filter((option, index) => option.number === index + 1);
  return run.some((option) => option.selected) ? run : [];
}

function bottomLines(screen: string, count: number): string[] {
  const lines = screen.split("\n");
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  return lines.slice(-count);
}

type Grammar = {
  modal: { pattern: RegExp; reason: HoldReason }[];
  /** What the pane title says on its own (Codex: a braille spinner while busy). */
  title?: { pattern: RegExp; state: ScreenState }[];
  busy: { pattern: RegExp; reason: HoldReason }[];
  /** The text in the input box when the prompt is showing, else null. */
  composer(lines: string[]): string | null;
};

const CLAUDE: Grammar = {
  modal: [
    { pattern: /Do you want to (?:proceed|make this edit|create|allow)/i, reason: "permission prompt" },
    // AskUserQuestion's last rows: `3. Type something.` and `4. Chat about this` (numbers vary).
    { pattern: /^\s*(?:[❯>]\s*)?\d{1,2}\.\s+(?:Type something\.|Chat about this)\s*$/, reason: "question" },
    { pattern: /Esc to cancel|Enter to (?:select|confirm)/i, reason: "dialog" },
  ],
  busy: [{ pattern: /esc to interrupt/i, reason: "working" }],
  composer(lines) {
    // The input box: a `❯` (2.x) or `>` (1.x) line between two horizontal rules.
    for (let index = lines.length - 1; index >= 0; index--) {
      const match = /^\s*(?:│\s*)?[❯>](?:\s(.*?))?\s*(?:│\s*)?$/.exec(lines[index]!);
      if (match && hasRuleAround(lines, index)) return (match[1] ?? "").trim();
    }
    return null;
  },
};

const CODEX: Grammar = {
  modal: [
    { pattern: /Yes, proceed|Would you like to (?:run|make|apply)|Allow command/i, reason: "approval" },
    { pattern: /Press enter to (?:confirm|continue)|esc to (?:cancel|go back)/i, reason: "dialog" },
  ],
  busy: [{ pattern: /esc to interrupt/i, reason: "working" }],
  // While Codex streams text its screen looks idle; its title starts with a spinner frame.
  title: [
    { pattern: /^\[ \. \] Action Required/, state: { kind: "modal", reason: "approval" } },
    { pattern: /^[\u2801-\u28ff] /, state: { kind: "busy", reason: "streaming" } },
  ],
  composer(lines) {
    for (let index = lines.length - 1; index >= Math.max(0, lines.length - 8); index--) {
      const match = /^\s*›(?:\s(.*?))?\s*$/.exec(lines[index]!);
      if (match) return placeholderless(match[1] ?? "");
    }
    return null;
  },
};

/** Codex shows a dimmed suggestion in its empty composer; the capture has no colours to tell. */
const CODEX_PLACEHOLDERS = [
  /^Ask Codex to do anything$/,
  /^Explain this codebase$/,
  /^Summarize recent commits$/,
  /^Implement \{feature\}$/,
  /^Find and fix a bug in @filename$/,
  /^Write tests for @filename$/,
  /^Improve documentation in @filename$/,
  /^Run \/review on my current changes$/,
  /^Use \/skills to list available skills$/,
];

function placeholderless(text: string): string {
  const trimmed = text.trim();
  return CODEX_PLACEHOLDERS.some((placeholder) => placeholder.test(trimmed)) ? "" : trimmed;
}

/**
 * Gemini CLI 0.61 (captured against the scripted model server): `>   Type your message…` is
 * the empty composer, `(esc to cancel, 6s)` a running turn, `Allow execution of [Shell]?` its
 * tool confirmation.
 */
const GEMINI: Grammar = {
  modal: [
    {
      pattern: /Allow execution of|Apply this change\?|Do you want to proceed\?/i,
      reason: "permission prompt",
    },
    { pattern: /Do you trust the files in this folder\?/i, reason: "dialog" },
  ],
  busy: [{ pattern: /\(esc to cancel, (?:\d+m )?\d+s\)/i, reason: "working" }],
  composer(lines) {
    for (let index = lines.length - 1; index >= Math.max(0, lines.length - 8); index--) {
      const match = /^\s*>\s+(.*?)\s*$/.exec(lines[index]!);
      if (match) return match[1] === "Type your message or @path/to/file" ? "" : match[1]!;
    }
    return null;
  },
};

/**
 * opencode 1.18 (captured against the scripted model server): the prompt box is a `┃` column
 * whose first text line is the input and whose last names the agent (`Build · <model>`);
 * `esc interrupt` under it while a turn runs; `△ Permission required` with
 * `Allow once   Allow always   Reject` at a command outside its allow rules.
 */
const OPENCODE: Grammar = {
  modal: [{ pattern: /Permission required|Allow once|Allow always/i, reason: "permission prompt" }],
  busy: [{ pattern: /esc (?:to )?interrupt/i, reason: "working" }],
  composer(lines) {
    const agent = lines.findLastIndex((line) => /^\s*┃\s+(?:Build|Plan)\b.* · /.test(line));
    if (agent < 0) return null;
    const input = lines
      .slice(0, agent)
      .findIndex((line, index) => index > agent - 4 && /^\s*┃\s+\S/.test(line));
    if (input < 0) return "";
    const text = /^\s*┃\s+(.*?)\s*$/.exec(lines[input]!)![1]!;
    return /^Ask anything… ".*"$/.test(text) ? "" : text;
  },
};

function hasRuleAround(lines: string[], index: number): boolean {
  const rule = /^\s*[─━╭╰┌└]{1}[─━]{8,}/;
  const before = lines.slice(Math.max(0, index - 3), index).some((line) => rule.test(line));
  const after = lines.slice(index + 1, index + 4).some((line) => rule.test(line));
  return before && after;
}

const GRAMMARS: Record<string, Grammar> = {
  claude: CLAUDE,
  codex: CODEX,
  gemini: GEMINI,
  opencode: OPENCODE,
};

/** Which grammars may describe the pane: the placement's REPL, else whatever it could be. */
function grammarsFor(repl: string, command: string): Grammar[] {
  const known = GRAMMARS[repl] ?? GRAMMARS[command];
  return known ? [known] : [CLAUDE, CODEX, GEMINI, OPENCODE];
}

const BOTTOM_LINES = 30;

export function classifyScreen(input: {
  repl: string;
  command: string;
  screen: string;
  title?: string;
}): ScreenState {
  const lines = bottomLines(input.screen, BOTTOM_LINES);
  const grammars = grammarsFor(input.repl, input.command);
  const title = input.title ?? "";
  // The specific modals first: a generic "esc to cancel" of one REPL must not name another's approval.
  const modalRules = grammars.flatMap((grammar) => grammar.modal);
  for (const rule of [
    ...modalRules.filter((r) => r.reason !== "dialog"),
    ...modalRules.filter((r) => r.reason === "dialog"),
  ])
    if (lines.some((line) => rule.pattern.test(line))) return { kind: "modal", reason: rule.reason };
  if (menuOptions(input.screen).length > 0) return { kind: "modal", reason: "dialog" };
  for (const grammar of grammars)
    for (const rule of grammar.busy)
      if (lines.some((line) => rule.pattern.test(line))) return { kind: "busy", reason: rule.reason };
  for (const grammar of grammars)
    for (const rule of grammar.title ?? []) if (rule.pattern.test(title)) return rule.state;
  // A plain shell has no REPL input box: a `> ` of its own is no draft.
  if (SHELLS.has(input.command)) return { kind: "shell" };
  for (const grammar of grammars) {
    const text = grammar.composer(lines);
    if (text === "") return { kind: "idle" };
    if (text !== null) return { kind: "draft", text };
  }
  if (SHELLS.has(input.command)) return { kind: "shell" };
  return { kind: "unknown", reason: "unrecognised screen" };
}
