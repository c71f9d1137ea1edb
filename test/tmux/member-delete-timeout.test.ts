import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { runCafleetAsync } from "../support/cli.ts";
import { type DirectorSession, FAKE_AGENTS_IGNORING_EXIT, MemberHarness } from "./harness.ts";

/** Members whose coding agent ignores /exit: the delete must time out and leave them registered. */

let h: MemberHarness;
let session: DirectorSession;

beforeAll(() => {
  h = new MemberHarness("timeout", FAKE_AGENTS_IGNORING_EXIT);
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

const RECOVERY =
  "Recovery: inspect with `cafleet member capture`, answer any prompt with `cafleet member send-input`, then re-run `cafleet member delete`. Or re-run with `--force` to skip the wait and kill the pane.";

function expectStillRegistered(agentId: string, pane: string): void {
  const [agent] = h.sql<{ status: string }>("SELECT status FROM agents WHERE agent_id = ?", agentId);
  expect(agent?.status).toBe("active");
  const [placement] = h.sql<{ tmux_pane_id: string }>(
    "SELECT tmux_pane_id FROM agent_placements WHERE agent_id = ?",
    agentId,
  );
  expect(placement?.tmux_pane_id).toBe(pane);
  expect(h.paneAlive(pane)).toBe(true);
}

describe("member delete timeout", () => {
  it("waits the real 15 s by default, then prints the pane tail and exits 2 without deregistering", async () => {
    const member = h.createMember(session, "Stubborn");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const started = performance.now();
    const result = h.member(session, "delete", ["--member-id", member.agent_id]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(15_000);
    expect(elapsed).toBeLessThan(21_000);
    const tail = h.tmux.tmux(["capture-pane", "-p", "-t", pane, "-S", "-80"]);
    expect(tail).toContain("> /exit\n");
    expect(result).toEqual({
      stdout: "",
      stderr: `Error: pane ${pane} did not close within 15.0s after /exit.\n--- pane ${pane} tail (last 80 lines) ---\n${tail}\n---\n${RECOVERY}\n`,
      exitCode: 2,
    });
    expect(h.inputOf(pane)).toEqual(["/exit"]);
    expectStillRegistered(member.agent_id, pane);
  }, 30_000);

  it("honours the test-only timeout knob and also prints JSON on stdout with --json", async () => {
    const member = h.createMember(session, "Stubborn-2", ["--coding-agent", "codex"]);
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const started = performance.now();
    const result = h.run(
      [
        "--session-id",
        session.sessionId,
        "--json",
        "member",
        "delete",
        "--agent-id",
        session.directorId,
        "--member-id",
        member.agent_id,
      ],
      { CAFLEET_TEST_DELETE_TIMEOUT_SECONDS: "1" },
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(4000);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe(
      `{\n  "agent_id": "${member.agent_id}",\n  "pane_status": "${pane} (timeout)"\n}\n`,
    );
    const tail = h.tmux.tmux(["capture-pane", "-p", "-t", pane, "-S", "-80"]);
    expect(result.stderr).toBe(
      `Error: pane ${pane} did not close within 1.0s after /exit.\n--- pane ${pane} tail (last 80 lines) ---\n${tail}\n---\n${RECOVERY}\n`,
    );
    expectStillRegistered(member.agent_id, pane);

    // The recovery path the hint names: --force kills the stubborn pane.
    const forced = h.member(session, "delete", ["--member-id", member.agent_id, "--force"]);
    expect(forced.exitCode).toBe(0);
    expect(h.paneAlive(pane)).toBe(false);
  });
});

describe("member delete while the tmux server goes away", () => {
  it("reports the failed pane check and leaves the member registered", async () => {
    const own = new MemberHarness("vanishing", FAKE_AGENTS_IGNORING_EXIT);
    try {
      const ownSession = own.createSession();
      const member = own.createMember(ownSession, "Orphan");
      const pane = member.placement.tmux_pane_id;
      await own.waitForReady(pane);
      const deleting = runCafleetAsync(
        [
          "--session-id",
          ownSession.sessionId,
          "member",
          "delete",
          "--agent-id",
          ownSession.directorId,
          "--member-id",
          member.agent_id,
        ],
        own.env({ CAFLEET_TEST_DELETE_TIMEOUT_SECONDS: "5" }),
      );
      await Bun.sleep(800);
      own.tmux.kill();
      const result = await deleting;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toStartWith(
        `Error: tmux call failed while waiting for pane ${pane} to close: tmux command failed: tmux list-panes -a -F #{pane_id}\nstderr: `,
      );
      expect(result.stderr.split("\n").length).toBe(3);
      const [agent] = own.sql<{ status: string }>(
        "SELECT status FROM agents WHERE agent_id = ?",
        member.agent_id,
      );
      expect(agent?.status).toBe("active");
    } finally {
      own.dispose();
    }
  });
});
