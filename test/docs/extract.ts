/**
 * Finds the `cafleet …` commands quoted in Markdown and checks each one against the real CLI
 * parser, so a skill or the README cannot teach a command the binary rejects.
 */
import { COMMANDS } from "../../src/cli/commands.ts";
import { parseArgv } from "../../src/cli/parse.ts";

export type QuotedCommand = {
  file: string;
  line: number;
  /** The command as written, placeholders included. */
  text: string;
  /** `block`: a line of a fenced code block; `inline`: an inline code span in prose. */
  where: "block" | "inline";
};

const FENCE = /^\s*(```|~~~)/;

function startsCommand(text: string): boolean {
  return text === "cafleet" || text.startsWith("cafleet ");
}

/** Whether a quote is still open at the end of `text` (a `#` comment ends the scan). */
function quotesOpen(text: string): boolean {
  let quote = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote === "'") {
      if (char === "'") quote = "";
    } else if (quote === '"') {
      if (char === "\\") index++;
      else if (char === '"') quote = "";
    } else if (char === "\\") index++;
    else if (char === "#" && (index === 0 || /\s/.test(text[index - 1]!))) break;
    else if (char === "'" || char === '"') quote = char;
  }
  return quote !== "";
}

function inlineSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]!.replace(/\s*\n\s*/g, " ").trim());
}

export function extractCommands(file: string, markdown: string): QuotedCommand[] {
  const lines = markdown.split("\n");
  const found: QuotedCommand[] = [];
  let prose: { line: number; text: string }[] = [];

  const flushProse = () => {
    // Inline spans may wrap across lines of one paragraph, so prose is scanned a paragraph at a time.
    for (const paragraph of splitParagraphs(prose))
      for (const span of inlineSpans(paragraph.text))
        if (startsCommand(span)) found.push({ file, line: paragraph.line, text: span, where: "inline" });
    prose = [];
  };

  for (let index = 0; index < lines.length; index++) {
    const fence = FENCE.exec(lines[index]!);
    if (!fence) {
      prose.push({ line: index + 1, text: lines[index]! });
      continue;
    }
    flushProse();
    const marker = fence[1]!;
    index++;
    while (index < lines.length && !lines[index]!.trimStart().startsWith(marker)) {
      const start = index;
      let logical = lines[index]!.trim().replace(/^\$ /, "");
      while (index + 1 < lines.length && (logical.endsWith("\\") || quotesOpen(logical))) {
        index++;
        logical = logical.endsWith("\\")
          ? `${logical.slice(0, -1)} ${lines[index]!.trim()}`
          : `${logical}\n${lines[index]!}`;
      }
      if (startsCommand(logical)) found.push({ file, line: start + 1, text: logical, where: "block" });
      else
        for (const span of inlineSpans(logical))
          if (startsCommand(span)) found.push({ file, line: start + 1, text: span, where: "block" });
      index++;
    }
  }
  flushProse();
  return found;
}

function splitParagraphs(lines: { line: number; text: string }[]): { line: number; text: string }[] {
  const paragraphs: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  for (const { line, text } of lines) {
    if (text.trim() === "" || text.trimStart().startsWith("|")) {
      if (current) paragraphs.push(current);
      current = undefined;
      // A table row is its own paragraph: spans never cross cells.
      if (text.trim() !== "") paragraphs.push({ line, text });
      continue;
    }
    current = current ? { line: current.line, text: `${current.text}\n${text}` } : { line, text };
  }
  if (current) paragraphs.push(current);
  return paragraphs;
}

/** Sample values for `<placeholder>` tokens: a count for numeric names, else a UUID. */
export function substitutePlaceholders(text: string): string {
  return text.replace(/<([A-Za-z][^<>\n]*)>/g, (_whole, name: string) =>
    /^(n|number|count|lines|seconds|pr-number)$/.test(name) ? "3" : "00000000-0000-4000-8000-00000000000a",
  );
}

/** Splits a shell command line into argv the way sh would (quotes, escapes, comments). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    if (char === "#" && !inWord) break;
    if ("|;&<>`".includes(char)) throw new Error(`unquoted '${char}' (shell syntax) in the command`);
    if (char === "$") throw new Error("a shell variable or substitution: ids must be literal");
    inWord = true;
    if (char === "\\") {
      word += text[++index] ?? "";
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) throw new Error("unterminated single quote");
      word += text.slice(index + 1, end);
      index = end;
    } else if (char === '"') {
      index++;
      while (index < text.length && text[index] !== '"') {
        const inner = text[index]!;
        if (inner === "$" || inner === "`") throw new Error("a shell substitution: ids must be literal");
        if (inner === "\\" && '"\\$`'.includes(text[index + 1] ?? "")) index++;
        word += text[index];
        index++;
      }
      if (index >= text.length) throw new Error("unterminated double quote");
    } else word += char;
  }
  if (inWord) words.push(word);
  return words;
}

const PROMPT_FIELDS = new Set(["session_id", "agent_id", "director_name", "director_agent_id"]);

/** The rules of cli.md §6.17 for a custom `member create` prompt: four fields, doubled braces. */
export function promptProblems(template: string): string[] {
  const problems: string[] = [];
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!;
    if (char === "}") {
      if (template[index + 1] === "}") index++;
      else problems.push("a single '}' (double literal braces)");
    } else if (char === "{") {
      if (template[index + 1] === "{") {
        index++;
        continue;
      }
      const end = template.indexOf("}", index);
      const name = end === -1 ? "" : template.slice(index + 1, end);
      if (!PROMPT_FIELDS.has(name)) problems.push(`unknown placeholder '{${name}'`);
      if (end !== -1) index = end;
    }
  }
  return problems;
}

/**
 * The argv after `cafleet`, with sample values for placeholders. Skills must use literal ids
 * (skills.md), so a shell variable there is an error; README examples may use `$S`-style variables.
 */
export function commandArgv(quoted: Pick<QuotedCommand, "file" | "text">): string[] {
  let text = substitutePlaceholders(quoted.text);
  if (!quoted.file.startsWith("skills/"))
    text = text.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, "00000000-0000-4000-8000-00000000000b");
  return shellWords(text).slice(1);
}

/** True when the words after `cafleet` are only command words, e.g. `cafleet session list`. */
function isBareName(argv: string[]): boolean {
  return argv.length > 0 && argv.every((word) => /^[a-z][a-z-]*$/.test(word));
}

function knownPath(argv: string[]): boolean {
  const [word = "", sub = ""] = argv;
  const entry = Object.entries(COMMANDS).find(([name]) => name === word)?.[1];
  if (!entry) return false;
  if (!("commands" in entry)) return argv.length === 1;
  return argv.length === 1 || (argv.length === 2 && Object.hasOwn(entry.commands, sub));
}

/**
 * Problems with one quoted command, empty when the real parser accepts it. A bare name
 * (`cafleet member list` in prose) only has to exist; anything with options or placeholders is a
 * full command and must parse with every required option and, where needed, `--session-id`.
 */
export function checkCommand(quoted: Pick<QuotedCommand, "file" | "text" | "where">): string[] {
  let argv: string[];
  try {
    argv = commandArgv(quoted);
  } catch (error) {
    return [(error as Error).message];
  }
  if (quoted.where === "inline" && isBareName(argv))
    return knownPath(argv) ? [] : [`no such command: ${argv.join(" ")}`];

  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv(argv);
  } catch (error) {
    return [`the CLI parser rejects it: ${(error as Error).message}`];
  }
  if (parsed.kind !== "command") return [];
  const problems: string[] = [];
  if (parsed.def.needsSession && !parsed.sessionId)
    problems.push(`'${parsed.path}' needs --session-id before the command word`);
  if (parsed.path === "member create" && parsed.args.length > 0)
    problems.push(...promptProblems(parsed.args.join(" ")).map((p) => `custom prompt: ${p}`));
  return problems;
}
