import { CafleetError } from "../errors.ts";
import { pushPollLine } from "./push-line.ts";

/**
 * The prompt a member's coding agent starts with (tmux.md §4, cli.md §6.17). Its poll command is
 * the one every push types (`--new` added to the reference's), so the first poll and every
 * wake-up print only what the member has not seen.
 */

export type CodingAgent = "claude" | "codex" | "opencode" | "gemini";

const POLL = pushPollLine("{session_id}", "{agent_id}");

/** Agents without the cafleet skill get the commands spelled out. */
const SPELLED_OUT = [
  "Your session_id is {session_id} and your agent_id is {agent_id}.",
  "You are a member of the team led by {director_name} ({director_agent_id}).",
  `Check for instructions using \`${POLL}\`.`,
  "Use `cafleet --session-id {session_id} ack --agent-id {agent_id} --task-id <id>` to acknowledge messages",
  'and `cafleet --session-id {session_id} send --agent-id {agent_id} --to <id> --text "..."` to reply.',
].join("\n");

const DEFAULT_TEMPLATES: Record<CodingAgent, string> = {
  claude: [
    "Load Skill(cafleet). Your session_id is {session_id} and your agent_id is {agent_id}.",
    "You are a member of the team led by {director_name} ({director_agent_id}).",
    `Wait for instructions via \`${POLL}\`.`,
  ].join("\n"),
  codex: SPELLED_OUT,
  opencode: SPELLED_OUT,
  gemini: SPELLED_OUT,
};

export type PromptFields = {
  session_id: string;
  agent_id: string;
  director_name: string;
  director_agent_id: string;
};

const FIELD_NAMES: readonly string[] = ["session_id", "agent_id", "director_name", "director_agent_id"];
const BRACES_HINT = "Double literal braces ({{, }}) to keep them as text.";

function malformed(detail: string): CafleetError {
  return new CafleetError(`Malformed custom prompt: ${detail}. ${BRACES_HINT}`);
}

function unknownPlaceholder(name: string): CafleetError {
  return new CafleetError(
    `Unknown placeholder '${name}' in custom prompt. Supported placeholders: {session_id}, {agent_id}, {director_name}, {director_agent_id}. ${BRACES_HINT}`,
  );
}

/** The custom prompt (positionals joined by spaces), or the coding agent's default template. */
export function promptTemplate(words: string[], codingAgent: CodingAgent): string {
  return words.length > 0 ? words.join(" ") : DEFAULT_TEMPLATES[codingAgent];
}

/**
 * Python's `str.format(**fields)` restricted to the four named fields, scanned left to right so
 * the first problem is the one reported. Conversions, format specs, attribute and index access
 * are refused rather than applied.
 */
export function resolvePrompt(template: string, fields: PromptFields): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const char = template[i]!;
    if (char === "}") {
      if (template[i + 1] !== "}") throw malformed("Single '}' encountered in format string");
      out += "}";
      i += 2;
      continue;
    }
    if (char !== "{") {
      out += char;
      i++;
      continue;
    }
    if (template[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    if (i + 1 >= template.length) throw malformed("Single '{' encountered in format string");
    const end = fieldEnd(template, i + 1);
    out += fieldValue(template.slice(i + 1, end), fields);
    i = end + 1;
  }
  return out;
}

/** Index of the `}` closing a field that starts at `from`, counting nested braces like Python. */
function fieldEnd(template: string, from: number): number {
  let depth = 1;
  for (let j = from; j < template.length; j++) {
    if (template[j] === "{") depth++;
    if (template[j] === "}" && --depth === 0) return j;
  }
  throw malformed("expected '}' before end of string");
}

function fieldValue(field: string, fields: PromptFields): string {
  const nameEnd = field.search(/[!:]/);
  const fieldName = nameEnd === -1 ? field : field.slice(0, nameEnd);
  const tail = nameEnd === -1 ? "" : field.slice(nameEnd);
  if (tail.startsWith("!") && !/^![^:](:.*)?$/s.test(tail))
    throw malformed(
      tail.length === 1
        ? "end of string while looking for conversion specifier"
        : "expected ':' after conversion specifier",
    );
  const firstEnd = fieldName.search(/[.[]/);
  const first = firstEnd === -1 ? fieldName : fieldName.slice(0, firstEnd);
  if (first === "" || /^\d+$/.test(first))
    throw malformed(`positional field {${field}} is not supported; use a named placeholder`);
  if (!FIELD_NAMES.includes(first)) throw unknownPlaceholder(first);
  if (firstEnd !== -1) throw malformed(`attribute or index access in {${field}} is not supported`);
  if (tail !== "") throw malformed(`conversion or format spec in {${field}} is not supported`);
  return fields[first as keyof PromptFields];
}
