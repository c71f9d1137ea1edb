import {
  deregisterAgent,
  getActiveAgent,
  listActiveAgents,
  registerAgent,
  requireAgentInSession,
} from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { CafleetError } from "../errors.ts";
import { agentBlock, agentList } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import type { AGENT_ONLY, AGENTS, REGISTER } from "./commands.ts";
import type { Context } from "./options.ts";

/** Python truthiness of a parsed JSON value: falsy skills are stored as []. */
function isFalsy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length === 0;
  return !value;
}

function parseSkills(raw: string | undefined): unknown {
  // An empty --skills is falsy like the reference's `if skills:` guard: no skills, not a JSON error.
  if (raw === undefined || raw === "") return [];
  let skills: unknown;
  try {
    skills = JSON.parse(raw);
    // JSON.parse copes with deeper nesting than JSON.stringify: refuse here what cannot be stored.
    JSON.stringify(skills);
  } catch (error) {
    const detail =
      error instanceof RangeError ? `nested too deeply (${error.message})` : (error as Error).message;
    throw new CafleetError(`Invalid JSON in --skills: ${detail}`);
  }
  return isFalsy(skills) ? [] : skills;
}

export async function register(ctx: Context<typeof REGISTER>): Promise<void> {
  const skills = parseSkills(ctx.options.skills);
  const { db } = openDatabase(ctx.env);
  const agent = registerAgent(db, {
    sessionId: ctx.sessionId,
    name: ctx.options.name,
    description: ctx.options.description,
    skills,
  });
  if (ctx.json) return printJson(agent);
  return printLine(
    `Agent registered successfully!\n  agent_id:  ${agent.agent_id}\n  name:      ${agent.name}`,
  );
}

export async function agents(ctx: Context<typeof AGENTS>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  requireAgentInSession(db, ctx.sessionId, ctx.options.agentId);
  const id = ctx.options.id;
  if (id !== undefined) {
    const agent = getActiveAgent(db, ctx.sessionId, id);
    if (ctx.json) return printJson(agent);
    return printLine(agentBlock(agent));
  }
  const list = listActiveAgents(db, ctx.sessionId);
  if (ctx.json) return printJson(list);
  return printLine(agentList(list));
}

export async function deregister(ctx: Context<typeof AGENT_ONLY>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const { agentId } = ctx.options;
  requireAgentInSession(db, ctx.sessionId, agentId);
  if (!deregisterAgent(db, agentId))
    throw new CafleetError(`agent ${agentId} not found or already deregistered.`);
  if (ctx.json) return printJson({ status: "deregistered" });
  return printLine("Agent deregistered successfully.");
}
