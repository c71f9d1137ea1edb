import { afterAll, beforeAll, expect, it } from "bun:test";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { waitFor } from "../support/tmux.ts";
import { type DirectorSession, MemberHarness } from "./harness.ts";

/**
 * The whole Director workflow on one tmux server: a session, a claude and a codex member, a
 * message to each that wakes its pane, their replies waking the Director, poll + ack, teardown.
 */

let h: MemberHarness;
let session: DirectorSession;

beforeAll(() => {
  h = new MemberHarness("scenario");
}, 60_000);
afterAll(() => h.dispose());

function cli(args: string[], pane = h.directorPane) {
  const result = h.run(["--session-id", session.sessionId, "--json", ...args], { TMUX_PANE: pane });
  if (result.exitCode !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Joined capture of the pane (long commands wrap), so a typed command is found whole. */
function paneText(pane: string): string {
  return h.tmux.tmux(["capture-pane", "-p", "-J", "-t", pane, "-S", "-200"]);
}

it("runs a Director session with a claude and a codex member from spawn to teardown", async () => {
  session = h.createSession();
  const members = [
    h.createMember(session, "Claude-B"),
    h.createMember(session, "Codex-C", ["--coding-agent", "codex"]),
  ];
  for (const member of members) await h.waitForReady(member.placement.tmux_pane_id);
  expect(
    cli(["member", "list", "--agent-id", session.directorId]).map((m: { name: string }) => m.name),
  ).toEqual(["Claude-B", "Codex-C"]);

  for (const member of members) {
    const pane = member.placement.tmux_pane_id;
    const command = pushPollLine(session.sessionId, member.agent_id);
    const sent = cli([
      "send",
      "--agent-id",
      session.directorId,
      "--to",
      member.agent_id,
      "--text",
      `task for ${member.name}`,
    ]);
    const returned = performance.now();
    expect(sent.notification_sent).toBe(true);
    expect(await waitFor(() => paneText(pane).includes(command), 1000)).toBe(true);
    expect(performance.now() - returned).toBeLessThan(1000);
    expect(await h.waitForInput(pane, 1, 1000)).toEqual([command]);

    // The member, woken, polls and acks in its own pane's environment, then replies.
    const [task] = cli(["poll", "--agent-id", member.agent_id], pane);
    expect(task.artifacts[0].parts[0].text).toBe(`task for ${member.name}`);
    expect(cli(["ack", "--agent-id", member.agent_id, "--task-id", task.id], pane).task.status.state).toBe(
      "completed",
    );
    const reply = cli(
      ["send", "--agent-id", member.agent_id, "--to", session.directorId, "--text", `${member.name} done`],
      pane,
    );
    expect(reply.notification_sent).toBe(true);
  }

  const directorCommand = pushPollLine(session.sessionId, session.directorId);
  expect(await h.waitForInput(h.directorPane, 2, 1000)).toEqual([directorCommand, directorCommand]);
  const inbox = cli(["poll", "--agent-id", session.directorId]);
  expect(
    inbox.map((t: { artifacts: { parts: { text: string }[] }[] }) => t.artifacts[0]!.parts[0]!.text),
  ).toEqual(["Codex-C done", "Claude-B done"]);
  for (const task of inbox)
    expect(cli(["ack", "--agent-id", session.directorId, "--task-id", task.id]).task.status.state).toBe(
      "completed",
    );

  for (const member of members) {
    const deleted = cli([
      "member",
      "delete",
      "--agent-id",
      session.directorId,
      "--member-id",
      member.agent_id,
    ]);
    expect(deleted).toEqual({
      agent_id: member.agent_id,
      pane_status: `${member.placement.tmux_pane_id} (closed)`,
    });
    expect(h.paneAlive(member.placement.tmux_pane_id)).toBe(false);
  }
  expect(h.tmux.paneIds()).toEqual([h.directorPane]);
  expect(cli(["member", "list", "--agent-id", session.directorId])).toEqual([]);

  const deletedSession = h.run(["session", "delete", session.sessionId]);
  expect(deletedSession.stdout).toBe(`Deleted session ${session.sessionId}. Deregistered 2 agents.\n`);
  expect(
    h.sql("SELECT agent_id FROM agents WHERE session_id = ? AND status = 'active'", session.sessionId),
  ).toEqual([]);
});
