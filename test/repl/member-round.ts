/**
 * The checks every backend's real-REPL suite makes the same way (opencode and Gemini CLI; the
 * Claude Code and Codex suites grew their own first): a member starts with the default prompt and
 * handles one message end to end, `--model` reaches the REPL, a command outside the allow rule
 * asks (and holds a push), and `member delete` closes it.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CodingAgent } from "../../src/broker/member-prompt.ts";
import { shell, text } from "../support/model-server.ts";
import { type Member, type ReplFleet, until } from "./fleet.ts";

/**
 * The member's first turn is the default prompt; a Director's `send` is pushed as one turn that
 * runs the typed poll; the scripted ack and reply run with no permission prompt (the backend's
 * allow rule); the database shows the message acked and answered.
 */
export async function handlesOneMessage(fleet: ReplFleet, agent: CodingAgent): Promise<void> {
  const message = `Please review PR 42 (${agent})`;
  const reply = `LGTM from the ${agent} member`;
  let respond: ReturnType<ReplFleet["answersAndReplies"]> | undefined;
  fleet.server.respond((turn) => respond?.(turn) ?? { kind: "text", text: "ready" });
  const member = await fleet.spawnSettled("Alpha", agent);
  respond = fleet.answersAndReplies(member, message, reply);
  const first = await fleet.server.waitForTurn(
    (turn) => turn.userText?.startsWith("Your session_id is") ?? false,
    30_000,
  );
  expect(first.userText).toContain(`your agent_id is ${member.agent_id}.`);
  expect(first.userText).toContain(`\`${fleet.pushLine(member)}\``);

  const sent = await sendsAPush(fleet, agent, member, message);
  await until("the ack in the database", () => fleet.delivery(sent.taskId).acked_at !== null);
  await until(
    "the reply in the database",
    () => fleet.sql("SELECT 1 FROM tasks WHERE reply_to_task_id = ?", sent.taskId).length > 0,
  );
  const replies = fleet.sql<{ from_agent_id: string; to_agent_id: string; task_json: string }>(
    "SELECT from_agent_id, to_agent_id, task_json FROM tasks WHERE reply_to_task_id = ?",
    sent.taskId,
  );
  expect(replies.map((row) => [row.from_agent_id, row.to_agent_id])).toEqual([
    [member.agent_id, fleet.directorId],
  ]);
  expect(replies[0]!.task_json).toContain(reply);
  await until("the turn's end", () =>
    fleet.server.turns().some((turn) => turn.toolResult?.includes("Message sent.") ?? false),
  );
  // Each of the three commands ran and its own output reached the model, in order (the ack's
  // and the reply's outputs quote the message, so they are told apart by their first line).
  const kinds = fleet
    .toolResults()
    .map((output) =>
      output.includes("Message sent.")
        ? "reply"
        : output.includes("Message acknowledged.")
          ? "ack"
          : output.includes(message)
            ? "poll"
            : output,
    );
  expect(kinds).toEqual(["poll", "ack", "reply"]);
}

/**
 * A Director's `send` to an idle member notifies it at once, and the push reaches the model as
 * one turn of exactly the typed poll line; logs how long that took.
 */
export async function sendsAPush(
  fleet: ReplFleet,
  agent: CodingAgent,
  member: Member,
  message: string,
): Promise<ReturnType<ReplFleet["send"]>> {
  const started = performance.now();
  const sent = fleet.send(member.agent_id, message);
  expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
    notified: true,
    held: null,
  });
  const push = await fleet.server.waitForTurn((turn) => fleet.isPush(turn, member), 20_000);
  const latency = performance.now() - started;
  expect(push.userText).toBe(fleet.pushLine(member));
  console.log(
    `${agent}: send → submitted turn ${latency.toFixed(0)} ms (send itself ${sent.ms.toFixed(0)} ms)`,
  );
  return sent;
}

/** `member create --model NAME`: stored and listed, and the REPL asks the model server for it. */
export async function passesTheModel(
  fleet: ReplFleet,
  agent: CodingAgent,
  model: string,
  requested: string,
): Promise<void> {
  fleet.server.respond(() => ({ kind: "text", text: "ready" }));
  const member = await fleet.spawnSettled("Modeled", agent, ["--model", model]);
  const listed = fleet.memberList().find((row) => row.agent_id === member.agent_id);
  expect({ model: listed?.model, agent: listed?.placement.coding_agent }).toEqual({ model, agent });
  const first = await fleet.server.waitForTurn(
    (turn) => turn.userText?.includes(`your agent_id is ${member.agent_id}.`) ?? false,
    30_000,
  );
  expect(first.model).toBe(requested);
}

/**
 * A command outside the allow rule asks first (`prompt` on the screen, `choices` its options):
 * a push sent then is held and never typed, the command does not run, and the held push goes in
 * after the person at the pane declines it (Esc).
 */
export async function asksBeforeOtherCommands(
  fleet: ReplFleet,
  agent: CodingAgent,
  prompt: RegExp,
  choices: string,
): Promise<void> {
  const member = await fleet.spawnSettled("Asked", agent);
  const marker = join(fleet.cwd, "marker-permission.txt");
  fleet.server.respond((turn) => {
    if (fleet.isPush(turn, member)) return shell(turn.userText!);
    if (!turn.typed) return text("handled");
    if (turn.userText === "make a marker") return shell(`touch ${marker}`);
    return text("ready");
  });
  fleet.tmux(["send-keys", "-t", member.pane, "-l", "make a marker"]);
  await Bun.sleep(400);
  fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
  await fleet.waitForScreen(member.pane, prompt);
  const sent = fleet.send(member.agent_id, "are you there?");
  expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
    notified: false,
    held: "permission prompt",
  });
  await Bun.sleep(2500);
  expect(existsSync(marker)).toBe(false);
  expect(fleet.screen(member.pane)).toContain(choices);

  fleet.tmux(["send-keys", "-t", member.pane, "Escape"]);
  await until("the held push as a turn", () => fleet.pushes(member) > 0, 30_000);
  expect(existsSync(marker)).toBe(false);
  await until("the held message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
}

/** `member delete` types the backend's exit command: the REPL quits, its pane closes, its placement goes. */
export async function closesOnDelete(fleet: ReplFleet, agent: CodingAgent): Promise<void> {
  fleet.server.respond(() => ({ kind: "text", text: "ready" }));
  const member = await fleet.spawnSettled("Leaving", agent);
  const pid = Number(fleet.tmux(["display-message", "-p", "-t", member.pane, "#{pane_pid}"]).trim());
  expect(fleet.member("delete", member.agent_id)).toEqual({
    stdout: `Member deleted.\n  agent_id:  ${member.agent_id}\n  pane_id:   ${member.pane} (closed)\n`,
    stderr: "",
    exitCode: 0,
  });
  expect(fleet.paneAlive(member.pane)).toBe(false);
  await until("the REPL's process to exit", () => !isRunning(pid), 5_000);
  expect(fleet.sql("SELECT agent_id FROM agent_placements WHERE agent_id = ?", member.agent_id)).toEqual([]);
  expect(fleet.memberList().map((row) => row.agent_id)).not.toContain(member.agent_id);
}

/** A process that exited but is not reaped yet (state Z) counts as exited. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
