import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hang, shell, text } from "../support/model-server.ts";
import { freshPostgresDatabase } from "../support/postgres.ts";
import { processesWithHome } from "../support/repl-pane.ts";
import { type Member, ReplFleet, until } from "./fleet.ts";
import { handlesOneMessage, sendsAPush } from "./member-round.ts";

/**
 * The pane boundary against the real Codex CLI 0.169.0: a member starts with the argv Codex
 * accepts and its own `cafleet` calls write the database from inside Codex's sandbox; a push is
 * one turn; it waits while a turn runs, while text streams (Codex's screen looks idle then) and
 * at an approval (whose letter shortcuts the typed line would press); delete closes it.
 */

setDefaultTimeout(120_000);

let fleet: ReplFleet;

beforeAll(() => {
  fleet = new ReplFleet("codex");
  fleet.createSession();
}, 120_000);
afterAll(() => fleet.dispose());
afterEach(() => fleet.dismissMembers());
const spawn = (name: string) => fleet.spawnSettled(name, "codex");
const toolResults = () => fleet.toolResults();
const pushes = (member: Member) => fleet.pushes(member);

describe("Codex members", () => {
  it("starts with the default prompt; a push is one turn, and its poll and ack write the database from inside the sandbox", async () => {
    let member: Member | undefined;
    fleet.server.respond((turn) => {
      if (member && fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed && member && turn.toolResult?.includes("Please review PR 42")) {
        const taskId = /task ([0-9a-f-]{36})/.exec(turn.toolResult)?.[1] ?? "missing";
        return shell(
          `cafleet --session-id ${fleet.sessionId} ack --agent-id ${member.agent_id} --task-id ${taskId}`,
        );
      }
      if (!turn.typed) return text("handled");
      return text("ready");
    });
    member = await spawn("Alpha");
    const first = await fleet.server.waitForTurn(
      (turn) => turn.userText?.startsWith("Your session_id is") ?? false,
      30_000,
    );
    expect(first.userText).toContain(`your agent_id is ${member.agent_id}.`);

    const sent = await sendsAPush(fleet, "codex", member, "Please review PR 42");
    await until("the poll's output", () =>
      toolResults().some((result) => result.includes("Please review PR 42")),
    );
    await until("the ack in the database", () => fleet.delivery(sent.taskId).acked_at !== null);
    expect(toolResults().join("\n")).not.toContain("readonly database");
  });

  it("holds a push while a tool runs and while text streams, then types it once the prompt is back", async () => {
    const member = await spawn("Busy");
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text("handled");
      if (turn.userText === "run the slow build") return shell("sleep 6");
      if (turn.userText === "write a long answer")
        return text("Line one.\nLine two.\nLine three.\nLine four.\nLine five.\nLine six.\n", 6000);
      return text("ready");
    });
    for (const [request, reason] of [
      ["run the slow build", "working"],
      ["write a long answer", "streaming"],
    ] as const) {
      await fleet.waitForQuiet(member.pane);
      fleet.tmux(["send-keys", "-t", member.pane, "-l", request]);
      await Bun.sleep(400);
      fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
      await until(
        "the turn to start",
        () =>
          /^[\u2801-\u28ff] /.test(fleet.tmux(["display-message", "-p", "-t", member.pane, "#{pane_title}"])),
        20_000,
      );
      await Bun.sleep(800);
      const before = pushes(member);
      const sent = fleet.send(member.agent_id, `message while ${reason}`);
      expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
        notified: false,
        held: reason,
      });
      await until("the held push as a turn", () => pushes(member) > before, 30_000);
      // The turn it waited for ran to its end: nothing cut it off.
      if (reason === "working") expect(toolResults().length).toBeGreaterThan(0);
      else expect(fleet.screen(member.pane)).toContain("Line six.");
      await until("the held message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
    }
  });

  it("never answers an approval: the typed line would press its letter shortcuts, so the push waits and is delivered after", async () => {
    const member = await spawn("Asked");
    const marker = join(fleet.home, "marker-approval.txt");
    fleet.server.respond((turn) => {
      if (fleet.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return text("handled");
      if (turn.userText === "make a marker") return shell(`touch ${marker}`, { escalate: true });
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", member.pane, "-l", "make a marker"]);
    await Bun.sleep(400);
    fleet.tmux(["send-keys", "-t", member.pane, "Enter"]);
    await fleet.waitForScreen(member.pane, /Would you like to run the following command\?/);
    const sent = fleet.send(member.agent_id, "are you there?");
    expect({ notified: sent.notified, held: fleet.delivery(sent.taskId).held_reason }).toEqual({
      notified: false,
      held: "approval",
    });
    await Bun.sleep(2500);
    expect(existsSync(marker)).toBe(false);
    expect(fleet.screen(member.pane)).toContain("Would you like to run the following command?");

    // The person at the pane declines (Esc); the held push goes in after.
    fleet.tmux(["send-keys", "-t", member.pane, "Escape"]);
    await until("the held push as a turn", () => pushes(member) > 0, 30_000);
    expect(existsSync(marker)).toBe(false);
    await until("the held message fetched", () => fleet.delivery(sent.taskId).fetched_at !== null);
  });

  it("deletes an idle member (/exit, a pause, Enter), a busy one after Esc, and one at an approval without approving it", async () => {
    const marker = join(fleet.home, "marker-delete.txt");
    const idle = await spawn("Idle");
    expect(fleet.member("delete", idle.agent_id)).toEqual({
      stdout: `Member deleted.\n  agent_id:  ${idle.agent_id}\n  pane_id:   ${idle.pane} (closed)\n`,
      stderr: "",
      exitCode: 0,
    });

    const busy = await spawn("Working");
    fleet.server.respond((turn) => {
      if (!turn.typed) return text("handled");
      if (turn.userText === "long job") return hang(60_000, text("late"));
      if (turn.userText === "make the delete marker") return shell(`touch ${marker}`, { escalate: true });
      return text("ready");
    });
    fleet.tmux(["send-keys", "-t", busy.pane, "-l", "long job"]);
    await Bun.sleep(400);
    fleet.tmux(["send-keys", "-t", busy.pane, "Enter"]);
    await fleet.waitForScreen(busy.pane, /esc to interrupt/);
    const busyDeleted = fleet.member("delete", busy.agent_id);
    expect(busyDeleted.exitCode).toBe(0);
    expect(busyDeleted.stdout).toContain("  cleared:   working (Esc, before /exit)\n");
    expect(fleet.paneAlive(busy.pane)).toBe(false);

    const modal = await spawn("Prompted");
    fleet.tmux(["send-keys", "-t", modal.pane, "-l", "make the delete marker"]);
    await Bun.sleep(400);
    fleet.tmux(["send-keys", "-t", modal.pane, "Enter"]);
    await fleet.waitForScreen(modal.pane, /Would you like to run the following command\?/);
    const modalDeleted = fleet.member("delete", modal.agent_id);
    expect(modalDeleted.exitCode).toBe(0);
    expect(modalDeleted.stdout).toContain("  cleared:   approval (Esc, before /exit)\n");
    expect(existsSync(marker)).toBe(false);
    expect(fleet.paneAlive(modal.pane)).toBe(false);
    // --no-daemon: no shared Codex app-server is left behind by the members that closed.
    const leftovers = processesWithHome(fleet.home).flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        return argv.includes("app-server") ? [argv] : [];
      } catch {
        return [];
      }
    });
    expect(leftovers).toEqual([]);
  });
});

describe("a Codex member on a PostgreSQL store", () => {
  let pg: ReplFleet;
  beforeAll(() => {
    pg = new ReplFleet("codex-pg", { databaseUrl: freshPostgresDatabase().url });
    pg.createSession();
  });
  afterAll(() => pg.dispose());

  it("reaches the database from inside the sandbox: the push's poll, ack and reply run", async () => {
    await handlesOneMessage(pg, "codex");
    await pg.dismissMembers();
  });
});
