import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { shell, text } from "../support/model-server.ts";
import { OPENCODE_VERSION } from "../support/repls.ts";
import { ReplFleet, until } from "./fleet.ts";
import { closesOnDelete, handlesOneMessage, passesTheModel } from "./member-round.ts";

/**
 * The pane boundary against the real opencode 1.18.33, its bundled `anthropic` provider pointed
 * at the scripted model server: a member starts with the default prompt, handles a pushed
 * message with its own `cafleet` calls unasked, asks before any other command (and a push waits
 * at that prompt), takes `--model`, and quits on `member delete`.
 */

setDefaultTimeout(120_000);

let fleet: ReplFleet;

beforeAll(() => {
  fleet = new ReplFleet("opencode");
  fleet.createSession();
}, 120_000);
afterAll(() => fleet.dispose());
afterEach(() => fleet.dismissMembers());

describe(`opencode ${OPENCODE_VERSION} members`, () => {
  it("starts with the default prompt; a push is one turn whose poll, ack and reply run without a permission prompt", async () => {
    await handlesOneMessage(fleet, "opencode");
  });

  it("passes --model as provider/model: member list shows it and opencode asks the model server for it", async () => {
    await passesTheModel(fleet, "opencode", "anthropic/claude-haiku-4-5", "claude-haiku-4-5");
  });

  it("asks before a command outside the allow rule; a push waits at that prompt and is delivered after the person rejects it", async () => {
    const member = await fleet.spawnSettled("Asked", "opencode");
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
    await fleet.waitForScreen(member.pane, /△ Permission required/);
    const sent = fleet.send(member.agent_id, "are you there?");
    expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
      notified: false,
      held: "permission prompt",
    });
    await Bun.sleep(2500);
    expect(existsSync(marker)).toBe(false);
    expect(fleet.screen(member.pane)).toContain("Allow once   Allow always   Reject");

    // The person at the pane rejects it (Esc); the held push goes in after.
    fleet.tmux(["send-keys", "-t", member.pane, "Escape"]);
    await until("the held push as a turn", () => fleet.pushes(member) > 0, 30_000);
    expect(existsSync(marker)).toBe(false);
    expect(fleet.toolResults()).toContain("The user rejected permission to use this specific tool call.");
    await until("the held message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
  });

  it("closes on member delete: /exit quits opencode, the pane's process exits and the placement is removed", async () => {
    await closesOnDelete(fleet, "opencode");
  });
});
