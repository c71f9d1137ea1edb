import type { AgentSummary } from "./broker/agents.ts";
import { type Task, taskText } from "./broker/tasks.ts";

/** Text renderings of cli.md §5.4 and §6, in one place. */

export function taskBlock(task: Task): string {
  const lines = [
    `  id:    ${task.id}`,
    `  state: ${task.status.state}`,
    `  from:  ${task.metadata.fromAgentId}`,
  ];
  if (task.metadata.toAgentId !== undefined) lines.push(`  to:    ${task.metadata.toAgentId}`);
  lines.push(`  type:  ${task.metadata.type}`);
  const text = taskText(task);
  if (text !== undefined) lines.push(`  text:  ${text}`);
  return lines.join("\n");
}

export function taskList(tasks: Task[]): string {
  if (tasks.length === 0) return "No messages found.";
  return tasks.map((task, index) => `[${index + 1}]\n${taskBlock(task)}`).join("\n");
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

/** Left-justified padding that never truncates (Python's str.ljust). */
export function pad(text: string, width: number): string {
  return text.padEnd(width);
}
