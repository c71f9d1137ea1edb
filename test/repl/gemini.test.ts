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
 * `cafleet` calls unasked (the policy file cafleet writes), asks before any other command (and
 * a push waits at that prompt), takes `--model`, and quits on `member delete` (`/quit`).
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

  it("asks before a command outside the allow rule; a push waits at that prompt and is delivered after the person declines it", async () => {
    const member = await fleet.spawnSettled("Asked", "gemini");
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
    await fleet.waitForScreen(member.pane, /Allow execution of \[Shell\]\?/);
    const sent = fleet.send(member.agent_id, "are you there?");
    expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
      notified: false,
      held: "permission prompt",
    });
    await Bun.sleep(2500);
    expect(existsSync(marker)).toBe(false);
    expect(fleet.screen(member.pane)).toContain("3. No, suggest changes (esc)");

    // The person at the pane declines (Esc); the held push goes in after.
    fleet.tmux(["send-keys", "-t", member.pane, "Escape"]);
    await until("the held push as a turn", () => fleet.pushes(member) > 0, 30_000);
    expect(existsSync(marker)).toBe(false);
    await until("the held message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
  });

  it("closes on member delete: /quit quits Gemini CLI, the pane's process exits and the placement is removed", async () => {
    await closesOnDelete(fleet, "gemini");
  });
});
