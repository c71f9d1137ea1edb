import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ask, hang, shell, text } from "../support/model-server.ts";
import { ReplFleet, until } from "./fleet.ts";
import { sendsAPush } from "./member-round.ts";

/**
 * The pane boundary against the real Claude Code 2.1.328: a member starts with the default
 * prompt, a push becomes one turn, and a push waits (is never typed) while a turn runs, while
 * text streams, at a permission prompt and at a question; delete and send-input never answer
 * for the user.
 */

setDefaultTimeout(120_000);

let fleet: ReplFleet;

beforeAll(() => {
  fleet = new ReplFleet("claude");
  fleet.installSkills();
  fleet.createSession();
}, 120_000);
afterAll(() => fleet.dispose());

afterEach(() => fleet.dismissMembers());
const spawn = (name: string) => fleet.spawnSettled(name, "claude");
const toolResults = () => fleet.toolResults();

describe("Claude Code members", () => {
  it("starts with the default prompt, and a push is submitted as one turn that runs the typed poll", async () => {
    fleet.server.respond((turn) =>
      turn.typed && turn.userText?.startsWith("Load Skill(cafleet).") ? text("ready") : text("ok"),
    );
    const member = await spawn("Alpha");
    const first = await fleet.server.waitForTurn(
      (turn) => turn.userText?.startsWith("Load Skill(cafleet).") ?? false,
      30_000,
    );
    expect(first.userText).toContain(`your agent_id is ${member.agent_id}.`);
    await fleet.waitForScreen(member.pane, /ready/);
    await fleet.waitForQuiet(member.pane);

    fleet.server.respond(fleet.runsThePush(member));
    const sent = await sendsAPush(fleet, "claude", member, "Please review PR 42");
    await until(
      'toolResults().some((result) => result.includes("Please review PR 42"))',
      () => toolResults().some((result) => result.includes("Please review PR 42")),
      20_000,
    );
    expect(fleet.delivery(sent.taskId).fetched_at).not.toBeNull();
  });

  it("holds a push while a tool runs and while text streams, then types it once the prompt is back", async () => {
    const member = await spawn("Busy");
    let phase: "tool" | "stream" = "tool";
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text("handled");
      if (turn.userText === "run the slow build") return shell("sleep 6");
      if (turn.userText === "write a long answer")
        return text("Line one.\nLine two.\nLine three.\nLine four.\n", 5000);
      return text("ready");
    });
    for (const [request, wait] of [
      ["run the slow build", /esc to interrupt/],
      ["write a long answer", /esc to interrupt/],
    ] as const) {
      phase = request === "run the slow build" ? "tool" : "stream";
      await fleet.waitForScreen(member.pane, /\? for shortcuts/);
      await fleet.waitForQuiet(member.pane);
      fleet.tmux(["send-keys", "-t", member.pane, "-l", request]);
      fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
      await fleet.waitForScreen(member.pane, wait);
      const pushesBefore = fleet.server.turns().filter((turn) => fleet.isPush(turn, member)).length;
      const sent = fleet.send(member.agent_id, `message during ${phase}`);
      expect(sent.notified).toBe(false);
      expect(fleet.delivery(sent.taskId).held_reason).toBe("working");
      await fleet.waitForScreen(member.pane, /\? for shortcuts/, 30_000);
      await until(
        "the held push as a turn",
        () => fleet.server.turns().filter((turn) => fleet.isPush(turn, member)).length > pushesBefore,
        20_000,
      );
      // The turn it waited for ran to its end: nothing cut it off.
      const finished =
        phase === "tool" ? toolResults().length > 0 : /Line four\./.test(fleet.screen(member.pane));
      expect(finished).toBe(true);
      await until(
        "fleet.delivery(sent.taskId).fetched_at !== null",
        () => fleet.delivery(sent.taskId).fetched_at !== null,
        20_000,
      );
      expect(fleet.delivery(sent.taskId).notified_at).not.toBeNull();
    }
  });

  it("never answers a permission prompt: the push waits, the command does not run, and it is delivered after the prompt closes", async () => {
    const member = await spawn("Asked");
    const marker = join(fleet.cwd, "marker-permission.txt");
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text("handled");
      if (turn.userText === "make a marker") return shell(`touch ${marker}`);
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", member.pane, "-l", "make a marker"]);
    fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
    await fleet.waitForScreen(member.pane, /Do you want to proceed\?/);
    const sent = fleet.send(member.agent_id, "are you there?");
    expect(sent.notified).toBe(false);
    await Bun.sleep(2500);
    expect(existsSync(marker)).toBe(false);
    expect(fleet.screen(member.pane)).toContain("Do you want to proceed?");
    expect(fleet.delivery(sent.taskId)).toMatchObject({
      notified_at: null,
      held_reason: "permission prompt",
    });

    // The person at the pane says no (Esc); the held push goes in after.
    fleet.tmux(["send-keys", "-t", member.pane, "Escape"]);
    await until(
      "fleet.server.turns().some((turn) => fleet.isPush(turn, member))",
      () => fleet.server.turns().some((turn) => fleet.isPush(turn, member)),
      30_000,
    );
    expect(existsSync(marker)).toBe(false);
    await until(
      "fleet.delivery(sent.taskId).fetched_at !== null",
      () => fleet.delivery(sent.taskId).fetched_at !== null,
      20_000,
    );
  });

  it("holds a push at a question of two options; --freetext picks its Type something row (3), then the push arrives", async () => {
    const member = await spawn("Quiz");
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text(`got: ${(turn.toolResult ?? "").slice(0, 200)}`);
      if (turn.userText === "ask me two") return ask("Which color should we use?", ["Red", "Blue"]);
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", member.pane, "-l", "ask me two"]);
    fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
    await fleet.waitForScreen(member.pane, /3\. Type something\./);
    const sent = fleet.send(member.agent_id, "hold on");
    expect(sent.notified).toBe(false);
    expect(fleet.delivery(sent.taskId).held_reason).toBe("question");
    const answered = fleet.member("send-input", member.agent_id, ["--freetext", "Green; please"]);
    expect(answered).toEqual({
      stdout: `Sent free text to member Quiz (${member.pane}).\n`,
      stderr: "",
      exitCode: 0,
    });
    await until(
      'toolResults().some((result) => result.includes("Green; please"))',
      () => toolResults().some((result) => result.includes("Green; please")),
      30_000,
    );
    await until(
      "fleet.server.turns().some((turn) => fleet.isPush(turn, member))",
      () => fleet.server.turns().some((turn) => fleet.isPush(turn, member)),
      30_000,
    );
    await until(
      "fleet.delivery(sent.taskId).fetched_at !== null",
      () => fleet.delivery(sent.taskId).fetched_at !== null,
      20_000,
    );
  });

  it("answers a question of three options with its Type something row (4)", async () => {
    const member = await spawn("Quiz3");
    fleet.server.respond((turn) => {
      if (!turn.typed) return text("noted");
      if (turn.userText === "ask me three")
        return ask("Which size do you want?", ["Small", "Medium", "Large"]);
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", member.pane, "-l", "ask me three"]);
    fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
    await fleet.waitForScreen(member.pane, /4\. Type something\./);
    expect(fleet.member("send-input", member.agent_id, ["--freetext", "Extra large"]).exitCode).toBe(0);
    await until(
      'toolResults().some((result) => result.includes("Extra large"))',
      () => toolResults().some((result) => result.includes("Extra large")),
      30_000,
    );
    expect(fleet.member("delete", member.agent_id).exitCode).toBe(0);
  });

  it("deletes an idle member with /exit, a busy one after Esc, and one at a permission prompt without approving it", async () => {
    const marker = join(fleet.cwd, "marker-delete.txt");
    const idle = await spawn("Idle");
    const deleted = fleet.member("delete", idle.agent_id);
    expect(deleted).toEqual({
      stdout: `Member deleted.\n  agent_id:  ${idle.agent_id}\n  pane_id:   ${idle.pane} (closed)\n`,
      stderr: "",
      exitCode: 0,
    });

    const busy = await spawn("Working");
    const modal = await spawn("Prompted");
    fleet.server.respond((turn) => {
      if (!turn.typed) return text("handled");
      if (turn.userText === "long job") return hang(60_000, text("late"));
      if (turn.userText === "make the delete marker") return shell(`touch ${marker}`);
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", busy.pane, "-l", "long job"]);
    fleet.tmux(["send-keys", "-t", busy.pane, "Enter"]);
    await fleet.waitForScreen(busy.pane, /esc to interrupt/);
    const busyDeleted = fleet.member("delete", busy.agent_id);
    expect(busyDeleted.exitCode).toBe(0);
    expect(busyDeleted.stdout).toContain("  cleared:   working (Esc, before /exit)\n");
    expect(fleet.paneAlive(busy.pane)).toBe(false);

    fleet.tmux(["send-keys", "-t", modal.pane, "-l", "make the delete marker"]);
    fleet.tmux(["send-keys", "-t", modal.pane, "Enter"]);
    await fleet.waitForScreen(modal.pane, /Do you want to proceed\?/);
    const modalDeleted = fleet.member("delete", modal.agent_id);
    expect(modalDeleted.exitCode).toBe(0);
    expect(modalDeleted.stdout).toContain("  cleared:   permission prompt (Esc, before /exit)\n");
    expect(existsSync(marker)).toBe(false);
    expect(fleet.paneAlive(modal.pane)).toBe(false);
  });
});
