import type { AgentSummary } from "./broker/agents.ts";
import { type Task, type TaskLine, taskLine } from "./broker/tasks.ts";

/** Text renderings of cli.md §5.4 and §6, in one place. */

export function lineBlock(line: TaskLine): string {
  let block = `  id:    ${line.id}\n  state: ${line.state}\n  from:  ${line.fromAgentId}\n`;
  if (line.toAgentId !== undefined) block += `  to:    ${line.toAgentId}\n`;
  block += `  type:  ${line.type}`;
  if (line.text !== undefined) block += `\n  text:  ${line.text}`;
  return block;
}

export function taskBlock(task: Task): string {
  return lineBlock(taskLine(task));
}

export function lineList(lines: TaskLine[]): string {
  if (lines.length === 0) return "No messages found.";
  return lines.map((line, index) => `[${index + 1}]\n${lineBlock(line)}`).join("\n");
}

export function taskList(tasks: Task[]): string {
  return lineList(tasks.map(taskLine));
}

export function agentBlock(agent: AgentSummary): string {
  return [
    `  agent_id:    ${agent.agent_id}`,
    `  name:        ${agent.name}`,
    `  description: ${agent.description}`,
    `  status:      ${agent.status}`,
  ].join("\n");
}

export function agentList(agents: AgentSummary[]): string {
  if (agents.length === 0) return "No agents found.";
  return agents.map((agent, index) => `[${index + 1}]\n${agentBlock(agent)}`).join("\n");
}

/**
 * Left-justified padding that never truncates (Python's str.ljust). Width counts code points,
 * as Python does: String#padEnd counts UTF-16 units, one space short per emoji.
 */
export function pad(text: string, width: number): string {
  let length = 0;
  for (const _ of text) length += 1;
  return length >= width ? text : text + " ".repeat(width - length);
}
