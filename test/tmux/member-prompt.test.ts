import { describe, expect, it } from "bun:test";
import { promptTemplate, resolvePrompt } from "../../src/broker/member-prompt.ts";

const fields = { session_id: "S", agent_id: "A", director_name: "Lead {x}", director_agent_id: "D" };
const HINT = "Double literal braces ({{, }}) to keep them as text.";

function errorOf(template: string): string {
  try {
    resolvePrompt(template, fields);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`no error for ${template}`);
}

describe("prompt resolution (Python str.format with four named fields)", () => {
  it("substitutes every field, keeps values verbatim and unescapes doubled braces", () => {
    expect(resolvePrompt("{session_id}/{agent_id}/{director_name}/{director_agent_id}", fields)).toBe(
      "S/A/Lead {x}/D",
    );
    expect(resolvePrompt("{{}} {{agent_id}} }}{{ {{{agent_id}}}", fields)).toBe("{} {agent_id} }{ {A}");
    expect(resolvePrompt("no fields\nat all", fields)).toBe("no fields\nat all");
  });

  it("names an unknown field, the part before . or [", () => {
    for (const [template, name] of [
      ["{foo}", "foo"],
      ["{foo.bar}", "foo"],
      ["{foo[0]}", "foo"],
      ["{foo!r}", "foo"],
      ["{foo:>9}", "foo"],
      ["{-1}", "-1"],
      ["{ agent_id}", " agent_id"],
    ] as const)
      expect(errorOf(template)).toBe(
        `Unknown placeholder '${name}' in custom prompt. Supported placeholders: {session_id}, {agent_id}, {director_name}, {director_agent_id}. ${HINT}`,
      );
  });

  it("calls everything else malformed", () => {
    for (const [template, detail] of [
      ["{", "Single '{' encountered in format string"],
      ["}", "Single '}' encountered in format string"],
      ["x {agent_id", "expected '}' before end of string"],
      ["{agent_id!}", "end of string while looking for conversion specifier"],
      ["{agent_id!rr}", "expected ':' after conversion specifier"],
    ] as const)
      expect(errorOf(template)).toBe(`Malformed custom prompt: ${detail}. ${HINT}`);
    for (const template of [
      "{}",
      "{0}",
      "{[0]}",
      "{agent_id.x}",
      "{agent_id[0]}",
      "{agent_id!r}",
      "{agent_id:>9}",
    ])
      expect(errorOf(template)).toMatch(/^Malformed custom prompt: .+\. Double literal braces/);
  });

  it("reports the first problem from the left, as Python does", () => {
    expect(errorOf("{foo} {")).toStartWith("Unknown placeholder 'foo'");
    expect(errorOf("} {foo}")).toStartWith("Malformed custom prompt: Single '}'");
  });

  it("joins positional words with single spaces and falls back to the default template", () => {
    expect(promptTemplate(["a", "b c", ""], "claude")).toBe("a b c ");
    expect(promptTemplate([], "claude")).toStartWith("Load Skill(cafleet).");
    expect(promptTemplate([], "codex")).toStartWith("Your session_id is {session_id}");
  });

  it("tells the member the poll line every push types: the reference's, plus --new", () => {
    expect(promptTemplate([], "claude")).toBe(
      "Load Skill(cafleet). Your session_id is {session_id} and your agent_id is {agent_id}.\n" +
        "You are a member of the team led by {director_name} ({director_agent_id}).\n" +
        "Wait for instructions via `cafleet --session-id {session_id} poll --agent-id {agent_id} --new`.",
    );
    expect(promptTemplate([], "codex")).toBe(
      "Your session_id is {session_id} and your agent_id is {agent_id}.\n" +
        "You are a member of the team led by {director_name} ({director_agent_id}).\n" +
        "Check for instructions using `cafleet --session-id {session_id} poll --agent-id {agent_id} --new`.\n" +
        "Use `cafleet --session-id {session_id} ack --agent-id {agent_id} --task-id <id>` to acknowledge messages\n" +
        'and `cafleet --session-id {session_id} send --agent-id {agent_id} --to <id> --text "..."` to reply.',
    );
    expect(resolvePrompt(promptTemplate([], "claude"), fields)).toEndWith(
      "Wait for instructions via `cafleet --session-id S poll --agent-id A --new`.",
    );
  });
});
