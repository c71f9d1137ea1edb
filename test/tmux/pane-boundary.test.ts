import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { type Env, ROOT, runCafleet } from "../support/cli.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";
import { fakeAgentCommand } from "./fake-agent.ts";
import { type DirectorSession, MemberHarness } from "./harness.ts";

/**
 * The pane boundary with fake REPLs (exact argv and keystrokes): tmux's own syntax never runs
 * user text, texts too long for one tmux command are refused before a key is pressed, and every
 * call for a pane goes to that pane's own tmux server, whichever server the caller is attached to.
 */

let h: MemberHarness;
let session: DirectorSession;

beforeAll(() => {
  h = new MemberHarness("boundary");
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

function windowCount(): number {
  return h.tmux.tmux(["list-windows", "-a", "-F", "#{window_id}"]).split("\n").filter(Boolean).length;
}

describe("tmux never runs user text", () => {
  it.each([
    ["Rev;", "kill-server"],
    ["Rev;", "new-window"],
    ["Semi", "finish the review;"],
    ["Slash", "keep this \\;"],
    ["Both;", "a ; kill-server ;"],
  ])(
    "member create --name %p -- %p: the server lives, no window opens, both arrive byte for byte",
    async (name, prompt) => {
      const windows = windowCount();
      const member = h.createMember(session, name, ["--", prompt]);
      expect(await h.argvOf(member.placement.tmux_pane_id)).toEqual(["claude", "--name", name, prompt]);
      expect(h.tmux.paneIds()).toContain(h.directorPane);
      expect(windowCount()).toBe(windows);
      expect(h.member(session, "delete", ["--member-id", member.agent_id, "--force"]).exitCode).toBe(0);
    },
  );

  it("send-input --freetext 'x;' types x; into the question's free-text row", async () => {
    const member = h.createMember(session, "Answers");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    for (const text of ["x;", "y\\;"]) {
      h.tmux.tmux(["send-keys", "-t", pane, "-l", "/ask 2"]);
      h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
      await waitFor(() => h.tmux.capture(pane).includes("Chat about this"), 2000);
      const result = h.member(session, "send-input", ["--member-id", member.agent_id, "--freetext", text]);
      expect(result.exitCode).toBe(0);
      await waitFor(() => !h.tmux.capture(pane).includes("Chat about this"), 2000);
    }
    expect(await h.waitForInput(pane, 2)).toEqual(["3x;", "3y\\;"]);
  });

  it("cuts a 20 KB sender name short in nudge lines, so the recipient is still woken", async () => {
    const member = h.createMember(session, "Woken");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    h.tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
    h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    await waitFor(() => h.tmux.capture(pane).includes("esc to interrupt"), 3000);
    const longName = "N".repeat(20_000);
    const registered = h.run([
      "--session-id",
      session.sessionId,
      "--json",
      "register",
      "--name",
      longName,
      "--description",
      "d",
    ]);
    const sender = JSON.parse(registered.stdout).agent_id as string;
    const env = { CAFLEET_TEST_NUDGE_TICK_MS: "50", CAFLEET_TEST_NUDGE_BACKOFF_MS: "none" };
    const sent = h.run(
      [
        "--session-id",
        session.sessionId,
        "--json",
        "send",
        "--agent-id",
        sender,
        "--to",
        member.agent_id,
        "--text",
        "hi",
      ],
      env,
    );
    expect(JSON.parse(sent.stdout).notification_sent).toBe(false);
    writeFileSync(join(h.dir, `${pane}.idle`), "");
    expect(await h.waitForInput(pane, 1, 5000)).toEqual([
      `${pushPollLine(session.sessionId, member.agent_id)}  # from ${"N".repeat(39)}…`,
    ]);
  });
});

describe("a REPL that does not start", () => {
  it("rolls member create back with one error saying the REPL exited, and exits 1 (Codex rejecting its argv)", () => {
    const broken = new MemberHarness("exiting", join(ROOT, "test/fixtures/agents-exiting"));
    try {
      const own = broken.createSession();
      const panes = broken.tmux.paneIds();
      const result = broken.run(broken.memberCreateArgs(own, "Gone", ["--coding-agent", "codex"]));
      const [agent] = broken.sql<{ agent_id: string; status: string }>(
        "SELECT agent_id, status FROM agents WHERE name = 'Gone'",
      );
      expect(agent?.status).toBe("deregistered");
      expect(result.stdout).toBe("");
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^Error: the codex REPL exited right after it started \\(pane %\\d+ closed\\).*Rolled back registration of ${agent!.agent_id}\\.\\n$`,
        ),
      );
      expect(broken.tmux.paneIds()).toEqual(panes);
    } finally {
      broken.dispose();
    }
  }, 20_000);
});

describe("a dead tmux server", () => {
  it("ends the background nudger: the held member's pane is marked gone and nothing keeps running", async () => {
    const doomed = new MemberHarness("doomed");
    try {
      const own = doomed.createSession();
      const member = doomed.createMember(own, "Doomed");
      const pane = member.placement.tmux_pane_id;
      await doomed.waitForReady(pane);
      doomed.tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
      doomed.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
      await waitFor(() => doomed.tmux.capture(pane).includes("esc to interrupt"), 3000);
      const env = { CAFLEET_TEST_NUDGE_TICK_MS: "50" };
      const sent = doomed.run(
        [
          "--session-id",
          own.sessionId,
          "--json",
          "send",
          "--agent-id",
          own.directorId,
          "--to",
          member.agent_id,
          "--text",
          "x",
        ],
        env,
      );
      expect(JSON.parse(sent.stdout).notification_sent).toBe(false);
      const lease = () =>
        doomed.sql("SELECT 1 FROM sessions WHERE session_id = ? AND nudge_holder IS NOT NULL", own.sessionId)
          .length;
      expect(await waitFor(() => lease() === 1, 3000)).toBe(true);
      doomed.tmux.kill();
      expect(await waitFor(() => lease() === 0, 5000)).toBe(true);
      expect(
        doomed.sql<{ gone: number }>(
          "SELECT pane_gone_at IS NOT NULL AS gone FROM agent_placements WHERE agent_id = ?",
          member.agent_id,
        ),
      ).toEqual([{ gone: 1 }]);
    } finally {
      doomed.dispose();
    }
  }, 20_000);
});

describe("the pane's own tmux server", () => {
  let other: PrivateTmux;
  let otherPane: string;
  const otherDir = () => join(h.dir, "other");

  beforeAll(() => {
    Bun.spawnSync(["mkdir", "-p", otherDir()]);
    other = new PrivateTmux("other");
    // The unrelated server's first pane records whatever is typed into it, like an idle shell would run it.
    otherPane = other.start(
      "elsewhere",
      {},
      {
        env: { CAFLEET_FAKE_AGENT_DIR: otherDir(), PATH: h.path },
        command: fakeAgentCommand("bystander"),
      },
    );
  });
  afterAll(() => other.kill());

  /** The Director's send to `to`, run with `tmux` as the caller's tmux environment. */
  const sendAs = (to: string, text: string, tmux: Env) =>
    runCafleet(
      [
        "--session-id",
        session.sessionId,
        "--json",
        "send",
        "--agent-id",
        session.directorId,
        "--to",
        to,
        "--text",
        text,
      ],
      h.env(tmux),
    );

  it("a sender attached to another tmux server types into the member's pane on its own server, never into the same pane id there", async () => {
    const member = h.createMember(session, "Remote");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    // The bystander's pane id is the one the member has on its server, or another: neither may get keys.
    const sent = sendAs(member.agent_id, "hello", other.envFor(otherPane));
    expect(sent.exitCode).toBe(0);
    expect(JSON.parse(sent.stdout).notification_sent).toBe(true);
    expect(await h.waitForInput(pane, 1)).toEqual([pushPollLine(session.sessionId, member.agent_id)]);
    await Bun.sleep(300);
    expect(other.capture(otherPane)).not.toContain("cafleet");
    const listed = runCafleet(
      ["--session-id", session.sessionId, "--json", "member", "list", "--agent-id", session.directorId],
      h.env(other.envFor(otherPane)),
    );
    const row = (JSON.parse(listed.stdout) as { agent_id: string; status: string }[]).find(
      (entry) => entry.agent_id === member.agent_id,
    );
    expect(row?.status).toBe("active");
  });

  it("a process outside tmux pushes to the recorded server too", async () => {
    const member = h.createMember(session, "Outside");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const sent = sendAs(member.agent_id, "hi", { TMUX: undefined, TMUX_PANE: undefined });
    expect(JSON.parse(sent.stdout).notification_sent).toBe(true);
    expect(await h.waitForInput(pane, 1)).toEqual([pushPollLine(session.sessionId, member.agent_id)]);
  });
});
