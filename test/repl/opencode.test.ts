import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { OPENCODE_VERSION } from "../support/repls.ts";
import { ReplFleet } from "./fleet.ts";
import {
  asksBeforeOtherCommands,
  closesOnDelete,
  handlesOneMessage,
  passesTheModel,
} from "./member-round.ts";

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
    await asksBeforeOtherCommands(
      fleet,
      "opencode",
      /△ Permission required/,
      "Allow once   Allow always   Reject",
    );
    // It was declined, not run: opencode tells the model so.
    expect(fleet.toolResults()).toContain("The user rejected permission to use this specific tool call.");
  });

  it("closes on member delete: /exit quits opencode, the pane's process exits and the placement is removed", async () => {
    await closesOnDelete(fleet, "opencode");
  });
});
