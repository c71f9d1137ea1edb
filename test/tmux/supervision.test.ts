import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/tmux.ts";
import { type CreatedMember, type DirectorSession, MemberHarness } from "./harness.ts";

setDefaultTimeout(30_000);

/**
 * Supervision for any Director (issue 16): the session's watcher reads member screens and tells
 * the Director once per finding, and nothing while all is well. Fake REPLs, thresholds cut to
 * seconds with the member's own --alert-* options.
 */

let h: MemberHarness;
let session: DirectorSession;

/** The watcher on, looking every 200 ms; the long-hold report cut to 1 s to prove the two merge. */
const WATCHED = {
  CAFLEET_TEST_WATCH: "on",
  CAFLEET_TEST_WATCH_MS: "200",
  CAFLEET_TEST_HOLD_REPORT_MS: "1000",
};

beforeAll(() => {
  h = new MemberHarness("supervision");
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

async function newMember(name: string, options: string[]): Promise<CreatedMember> {
  const member = h.createMember(session, name, options, WATCHED);
  await h.waitForReady(member.placement.tmux_pane_id);
  return member;
}

/** What the Administrator told the Director, oldest first. */
function reports(): string[] {
  return h
    .sql<{ text: string }>(
      `SELECT json_extract(task_json, '$.artifacts[0].parts[0].text') AS text FROM tasks
       WHERE context_id = ? AND from_agent_id = ? AND type = 'unicast' ORDER BY created_at, rowid`,
      session.directorId,
      session.administratorId,
    )
    .map((row) => row.text);
}

function about(member: CreatedMember): string[] {
  return reports().filter((text) => text.includes(member.agent_id));
}

function submit(pane: string, line: string): void {
  h.tmux.tmux(["send-keys", "-t", pane, "-l", line]);
  h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
}

function listJson() {
  const result = h.member(session, "list", [], { json: true });
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as {
    agent_id: string;
    model: string | null;
    team: { state: string; unread: number; held: number; last_activity: string | null };
  }[];
}

const leaseHeld = () =>
  h.sql("SELECT 1 FROM sessions WHERE session_id = ? AND nudge_holder IS NOT NULL", session.sessionId)
    .length > 0;

describe("the session watcher", () => {
  let asked: CreatedMember;
  let busy: CreatedMember;

  it("starts with the first member and says nothing while members are idle or working normally", async () => {
    asked = await newMember("Asked", ["--alert-waiting", "2", "--model", "sonnet"]);
    busy = await newMember("Busy", ["--alert-waiting", "2", "--alert-stalled", "30"]);
    expect(await waitFor(leaseHeld, 3000)).toBe(true);
    submit(busy.placement.tmux_pane_id, "/busy");
    await Bun.sleep(3500);
    expect(reports()).toEqual([]);
    const listed = listJson();
    expect(listed.map((row) => [row.agent_id, row.model, row.team.state])).toEqual([
      [asked.agent_id, "sonnet", "idle"],
      [busy.agent_id, null, "working"],
    ]);
  });

  it("tells the Director exactly once about a member at a permission prompt past the threshold, merged with the long-hold report", async () => {
    submit(asked.placement.tmux_pane_id, "/prompt");
    expect(
      await waitFor(() => h.tmux.capture(asked.placement.tmux_pane_id).includes("Do you want"), 3000),
    ).toBe(true);
    // A held push too: its 1 s long-hold report and the 2 s waiting finding are one message.
    const viaText = h.run(
      [
        "--session-id",
        session.sessionId,
        "send",
        "--agent-id",
        session.directorId,
        "--to",
        asked.agent_id,
        "--text",
        "please review",
      ],
      WATCHED,
    );
    expect(viaText.exitCode).toBe(0);
    expect(await waitFor(() => about(asked).length > 0, 6000)).toBe(true);
    await Bun.sleep(3000);
    const told = about(asked);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/waiting at a permission prompt|its pane shows a permission prompt/);
    expect(told[0]).toContain(
      `member capture --agent-id ${session.directorId} --member-id ${asked.agent_id}`,
    );
    expect(about(busy)).toEqual([]);
    const row = listJson().find((member) => member.agent_id === asked.agent_id)!;
    expect([row.team.state, row.team.unread, row.team.held]).toEqual(["waiting", 1, 1]);
  });

  it("reports a closed prompt's next stuck screen as news, and a gone pane once", async () => {
    writeFileSync(join(h.dir, `${asked.placement.tmux_pane_id}.idle`), "");
    expect(await h.waitForInput(asked.placement.tmux_pane_id, 1, 5000)).toHaveLength(1);
    // The fake does not run the line it was given: poll for it, as the member would.
    expect(h.run(["--session-id", session.sessionId, "poll", "--agent-id", asked.agent_id]).exitCode).toBe(0);
    await Bun.sleep(600);
    submit(asked.placement.tmux_pane_id, "/prompt");
    expect(await waitFor(() => about(asked).length === 2, 6000)).toBe(true);
    // The watcher's finding or the long-hold report, whichever tick comes first: one message.
    expect(about(asked)[1]).toMatch(/waiting at a permission prompt|its pane shows a permission prompt/);

    h.tmux.tmux(["kill-pane", "-t", busy.placement.tmux_pane_id]);
    expect(await waitFor(() => about(busy).length > 0, 5000)).toBe(true);
    await Bun.sleep(1000);
    expect(about(busy)).toHaveLength(1);
    expect(about(busy)[0]).toContain(`its pane ${busy.placement.tmux_pane_id} is gone`);
    expect(about(asked)).toHaveLength(2);
  });

  it("tells the Director once about a member working on an unchanged screen past the threshold", async () => {
    const stuck = await newMember("Stuck", ["--alert-stalled", "2"]);
    submit(stuck.placement.tmux_pane_id, "/busy");
    expect(await waitFor(() => about(stuck).length > 0, 6000)).toBe(true);
    await Bun.sleep(1500);
    expect(about(stuck)).toHaveLength(1);
    expect(about(stuck)[0]).toMatch(/has shown the same "working" screen for [23] s\./);
    expect(h.member(session, "delete", ["--member-id", stuck.agent_id, "--force"]).exitCode).toBe(0);
  });

  it("stops with the session's last member", async () => {
    expect(h.member(session, "delete", ["--member-id", asked.agent_id, "--force"]).exitCode).toBe(0);
    expect(h.member(session, "delete", ["--member-id", busy.agent_id, "--force"]).exitCode).toBe(0);
    expect(await waitFor(() => !leaseHeld(), 5000)).toBe(true);
  }, 30_000);
});
