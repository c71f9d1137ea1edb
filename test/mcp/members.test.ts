import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { waitFor } from "../support/tmux.ts";
import { type CreatedMember, type DirectorSession, MemberHarness } from "../tmux/harness.ts";
import { McpSession } from "./support.ts";

/**
 * A Director over MCP, its members in a private tmux server (fake coding agents): the member
 * tools, and sends that push to a member's pane exactly as the CLI's do.
 */

let h: MemberHarness;
let session: DirectorSession;
let member: CreatedMember;
let lead: string;
let director: McpSession;

beforeAll(async () => {
  h = new MemberHarness("mcp-members");
  session = h.createSession();
  member = h.createMember(session, "Claude-B");
  lead = JSON.parse(
    h.run(["--session-id", session.sessionId, "--json", "register", "--name", "Lead-2", "--description", "d"])
      .stdout,
  ).agent_id;
  await h.waitForReady(member.placement.tmux_pane_id);
  // The MCP client is no tmux pane: the server runs without $TMUX, as an editor would start it.
  director = await McpSession.start(h.env({ TMUX: undefined, TMUX_PANE: undefined }), [
    "--session-id",
    session.sessionId,
    "--agent-id",
    session.directorId,
  ]);
}, 60_000);

afterAll(async () => {
  await director.close();
  h.dispose();
});

describe("member tools", () => {
  it("member_list prints what `member list --json` prints", async () => {
    const cli = h.member(session, "list", [], { json: true });
    expect((await director.call("member_list")).text).toBe(cli.stdout);
  });

  it("member_capture returns the member's pane as `member capture --json` does", async () => {
    const { json } = await director.call("member_capture", { member_id: member.agent_id, lines: 20 });
    expect(json).toMatchObject({
      member_agent_id: member.agent_id,
      pane_id: member.placement.tmux_pane_id,
      lines: 20,
    });
    expect(json.content).toContain("ready");
    const cli = JSON.parse(
      h.member(session, "capture", ["--member-id", member.agent_id, "--lines", "20"], { json: true }).stdout,
    );
    expect(Object.keys(json)).toEqual(Object.keys(cli));
  });

  it("refuses an agent that is not the Director's member, with the CLI's message", async () => {
    expect(await director.call("member_capture", { member_id: lead })).toMatchObject({
      isError: true,
      text: `agent ${lead} has no placement row; it was not spawned via \`cafleet member create\`.`,
    });
    const lone = await McpSession.start(h.env({ TMUX: undefined, TMUX_PANE: undefined }), [
      "--session-id",
      session.sessionId,
      "--agent-id",
      lead,
    ]);
    expect((await lone.client.listTools()).tools.map((tool) => tool.name)).not.toContain("member_capture");
    await lone.close();
  });

  it("an agent that gains a member gets the member tools, with tools/list_changed", async () => {
    const lone = await McpSession.start(h.env({ TMUX: undefined, TMUX_PANE: undefined }), [
      "--session-id",
      session.sessionId,
      "--agent-id",
      lead,
    ]);
    const created = h.run([
      "--json",
      "--session-id",
      session.sessionId,
      "member",
      "create",
      "--agent-id",
      lead,
      "--name",
      "Sub",
      "--description",
      "a member of Lead-2",
    ]);
    expect(created.exitCode).toBe(0);
    const sub = JSON.parse(created.stdout) as CreatedMember;
    await lone.waitForNotification("notifications/tools/list_changed");
    const names = (await lone.client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("member_list");
    const listed = (await lone.call("member_list")).json as { agent_id: string }[];
    expect(listed.map((m) => m.agent_id)).toEqual([sub.agent_id]);
    expect(await lone.call("member_capture", { member_id: member.agent_id })).toMatchObject({
      isError: true,
      text: `agent ${member.agent_id} is not a member of your team (director_agent_id=${session.directorId}).`,
    });
    await lone.close();
  });
});

describe("send over MCP", () => {
  it("pushes the poll line into the recipient's pane like the CLI's send", async () => {
    const pane = member.placement.tmux_pane_id;
    const before = h.inputOf(pane).length;
    const { json } = await director.call("send", { to: member.agent_id, text: "please review" });
    expect(json.notification_sent).toBe(true);
    expect(await waitFor(() => h.inputOf(pane).length > before, 5000)).toBe(true);
    expect(h.inputOf(pane).at(-1)).toBe(
      `cafleet --session-id ${session.sessionId} poll --agent-id ${member.agent_id} --new`,
    );
  });
});
