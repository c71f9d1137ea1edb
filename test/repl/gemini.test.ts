import { afterAll, afterEach, beforeAll, describe, it, setDefaultTimeout } from "bun:test";
import { GEMINI_VERSION } from "../support/repls.ts";
import { ReplFleet } from "./fleet.ts";
import {
  asksBeforeOtherCommands,
  closesOnDelete,
  handlesOneMessage,
  passesTheModel,
} from "./member-round.ts";

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
    await asksBeforeOtherCommands(
      fleet,
      "gemini",
      /Allow execution of \[Shell\]\?/,
      "3. No, suggest changes (esc)",
    );
  });

  it("closes on member delete: /quit quits Gemini CLI, the pane's process exits and the placement is removed", async () => {
    await closesOnDelete(fleet, "gemini");
  });
});
