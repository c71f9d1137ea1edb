import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { shell, text } from "../support/model-server.ts";
import { GEMINI_VERSION } from "../support/repls.ts";
import { ReplFleet, until } from "./fleet.ts";
import { closesOnDelete, handlesOneMessage, passesTheModel } from "./member-round.ts";

/**
 * The pane boundary against the real Gemini CLI 0.61.0, its Gemini API base URL on the scripted
 * model server: a member starts with the default prompt, handles a pushed message with its own
 * `cafleet` calls unasked, takes `--model`, and quits on `member delete` (`/quit`). Its allow
 * rule (`--allowed-tools=run_shell_command(cafleet)`) narrows the shell tool: any other command
 * is refused by its policy engine without a prompt.
 */

setDefaultTimeout(120_000);

let fleet: ReplFleet;

beforeAll(() => {
  fleet = new ReplFleet("gemini");
  fleet.createSession();
}, 120_000);
afterAll(() => fleet.dispose());
afterEach(() => fleet.dismissMembers());

describe(`Gemini CLI ${GEMINI_VERSION} members`, () => {
  it("starts with the default prompt; a push is one turn whose poll, ack and reply run without a permission prompt", async () => {
    await handlesOneMessage(fleet, "gemini");
  });

  it("passes --model: member list shows it and Gemini CLI asks the model server for it", async () => {
    await passesTheModel(fleet, "gemini", "gemini-2.5-pro", "gemini-2.5-pro");
  });

  it("refuses a command outside the allow rule without a prompt (the rule narrows the shell tool), and stays pushable", async () => {
    const member = await fleet.spawnSettled("Narrowed", "gemini");
    const marker = join(fleet.cwd, "marker-policy.txt");
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text("handled");
      if (turn.userText === "make a marker") return shell(`touch ${marker}`);
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", member.pane, "-l", "make a marker"]);
    await Bun.sleep(400);
    fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
    await until("the refusal to reach the model", () =>
      fleet.toolResults().includes('{"error":"Tool execution denied by policy."}'),
    );
    expect(existsSync(marker)).toBe(false);
    await fleet.waitForQuiet(member.pane);
    expect(fleet.screen(member.pane)).not.toContain("Allow execution of");
    const sent = fleet.send(member.agent_id, "still there?");
    expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
      notified: true,
      held: null,
    });
    await until("the message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
  });

  it("closes on member delete: /quit quits Gemini CLI, the pane's process exits and the placement is removed", async () => {
    await closesOnDelete(fleet, "gemini");
  });
});
