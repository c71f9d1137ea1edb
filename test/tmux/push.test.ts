import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { type CreatedMember, type DirectorSession, MemberHarness } from "./harness.ts";

let h: MemberHarness;
let session: DirectorSession;
let claude: CreatedMember;
let codex: CreatedMember;
let plain: string;

beforeAll(async () => {
  h = new MemberHarness("push");
  session = h.createSession();
  claude = h.createMember(session, "Claude-B");
  codex = h.createMember(session, "Codex-C", ["--coding-agent", "codex"]);
  const registered = h.run([
    "--session-id",
    session.sessionId,
    "--json",
    "register",
    "--name",
    "Plain",
    "--description",
    "no pane",
  ]);
  plain = JSON.parse(registered.stdout).agent_id;
  await h.waitForReady(claude.placement.tmux_pane_id);
  await h.waitForReady(codex.placement.tmux_pane_id);
}, 60_000);
afterAll(() => h.dispose());

function send(from: string, to: string, text: string, extra: Record<string, string | undefined> = {}) {
  const result = h.run(
    ["--session-id", session.sessionId, "--json", "send", "--agent-id", from, "--to", to, "--text", text],
    extra,
  );
  return { ...result, body: result.exitCode === 0 ? JSON.parse(result.stdout) : null };
}

function pollCommand(agentId: string): string {
  return pushPollLine(session.sessionId, agentId);
}

describe("push notification", () => {
  it("types the poll command into the recipient's pane, then Enter", async () => {
    const pane = claude.placement.tmux_pane_id;
    const before = h.inputOf(pane).length;
    const result = send(session.directorId, claude.agent_id, "hello; $(rm -rf /) `id`");
    expect(result.stderr).toBe("");
    expect(result.body.notification_sent).toBe(true);
    const lines = await h.waitForInput(pane, before + 1, 1000);
    expect(lines.slice(before)).toEqual([pollCommand(claude.agent_id)]);
  });

  it("reports false and types nothing for self-sends, agents without a pane and the Administrator", async () => {
    const directorLines = h.inputOf(h.directorPane).length;
    expect(send(session.directorId, session.directorId, "note to self").body.notification_sent).toBe(false);
    expect(send(session.directorId, plain, "you have no pane").body.notification_sent).toBe(false);
    expect(send(session.directorId, session.administratorId, "admin").body.notification_sent).toBe(false);
    await Bun.sleep(300);
    expect(h.inputOf(h.directorPane).length).toBe(directorLines);
  });

  it("reports false without an error when tmux is not on PATH", () => {
    const result = send(session.directorId, claude.agent_id, "no tmux", { PATH: join(h.dir, "empty") });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.body.notification_sent).toBe(false);
  });

  it("wakes the Director when a member replies", async () => {
    const before = h.inputOf(h.directorPane).length;
    const result = send(codex.agent_id, session.directorId, "done");
    expect(result.body.notification_sent).toBe(true);
    const lines = await h.waitForInput(h.directorPane, before + 1, 1000);
    expect(lines.slice(before)).toEqual([pollCommand(session.directorId)]);
  });

  it("counts broadcast notifications per reached pane and skips the sender", async () => {
    const beforeClaude = h.inputOf(claude.placement.tmux_pane_id).length;
    const beforeDirector = h.inputOf(h.directorPane).length;
    const result = h.run([
      "--session-id",
      session.sessionId,
      "--json",
      "broadcast",
      "--agent-id",
      codex.agent_id,
      "--text",
      "all hands",
    ]);
    const [entry] = JSON.parse(result.stdout);
    // Recipients: Director, Claude-B, Plain (no pane): two panes woken.
    expect(entry.task.metadata.recipientCount).toBe(3);
    expect(entry.notifications_sent_count).toBe(2);
    expect(entry.task.metadata.notificationsSentCount).toBe(2);
    expect(
      (await h.waitForInput(claude.placement.tmux_pane_id, beforeClaude + 1, 1000)).slice(beforeClaude),
    ).toEqual([pollCommand(claude.agent_id)]);
    expect((await h.waitForInput(h.directorPane, beforeDirector + 1, 1000)).slice(beforeDirector)).toEqual([
      pollCommand(session.directorId),
    ]);
    expect(h.inputOf(codex.placement.tmux_pane_id)).toEqual([]);
  });

  it("reports false for a pane that is gone, and the message is still queued", () => {
    const pane = codex.placement.tmux_pane_id;
    h.tmux.tmux(["kill-pane", "-t", pane]);
    const result = send(session.directorId, codex.agent_id, "are you there?");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.body.notification_sent).toBe(false);
    const inbox = h.run(["--session-id", session.sessionId, "--json", "poll", "--agent-id", codex.agent_id]);
    expect(JSON.parse(inbox.stdout)[0].id).toBe(result.body.task.id);

    const broadcast = h.run([
      "--session-id",
      session.sessionId,
      "--json",
      "broadcast",
      "--agent-id",
      session.directorId,
      "--text",
      "x",
    ]);
    // Claude-B is woken; Codex-C's pane is gone; Plain has none.
    expect(JSON.parse(broadcast.stdout)[0].notifications_sent_count).toBe(1);
  });
});
