import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { pushPollLine } from "../../src/broker/push-line.ts";
import type { Env } from "../support/cli.ts";
import { freshPostgresDatabase } from "../support/postgres.ts";
import { waitFor } from "../support/tmux.ts";
import { type DirectorSession, MemberHarness } from "../tmux/harness.ts";

/**
 * Two hosts on one machine: each its own tmux server and host identity (CAFLEET_HOST), both on one
 * PostgreSQL database. The Director's pane is on host A; a member is created from a pane of host
 * B, so its pane lives there. A send on A must not type into B's pane (A's tmux cannot reach it);
 * B's relay, started when the member's pane was placed there, pushes it.
 */

type Delivery = {
  notified_at: string | null;
  nudge_count: number;
  held_at: string | null;
  stored_at: string;
};

let hostA: MemberHarness;
let hostB: MemberHarness;
let envA: Env;
let envB: Env;
let session: DirectorSession;
let memberId: string;
let memberPane: string;

function getDelivery(taskId: string): Delivery {
  const result = hostA.run(
    ["--session-id", session.sessionId, "--json", "get-task", "--agent-id", memberId, "--task-id", taskId],
    envA,
  );
  expect(result.stderr).toBe("");
  return (JSON.parse(result.stdout) as { delivery: Delivery }).delivery;
}

function sendFromA(text: string): { taskId: string; notificationSent: boolean; exitedAt: number } {
  const result = hostA.run(
    [
      "--session-id",
      session.sessionId,
      "--json",
      "send",
      "--agent-id",
      session.directorId,
      "--to",
      memberId,
      "--text",
      text,
    ],
    envA,
  );
  const exitedAt = performance.now();
  expect(result.stderr).toBe("");
  const sent = JSON.parse(result.stdout) as { task: { id: string }; notification_sent: boolean };
  return { taskId: sent.task.id, notificationSent: sent.notification_sent, exitedAt };
}

/** The holder of host B's relay lease (`<pid>-<uuid>`), if one holds it. */
function relayHolder(): string | null {
  const { openDatabase } = require("../../src/broker/db.ts") as typeof import("../../src/broker/db.ts");
  const { db } = openDatabase(envB);
  try {
    return (
      (db.query("SELECT holder FROM relays WHERE host = 'host-b'").get() as { holder: string } | null)
        ?.holder ?? null
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const { url } = freshPostgresDatabase();
  hostA = new MemberHarness("host-a");
  hostB = new MemberHarness("host-b");
  envA = { CAFLEET_DATABASE_URL: url, CAFLEET_HOST: "host-a" };
  // B's relay looks at its panes every 100 ms (not 5 s), so the test of its exit is short.
  envB = { CAFLEET_DATABASE_URL: url, CAFLEET_HOST: "host-b", CAFLEET_TEST_NUDGE_TICK_MS: "100" };
  const created = hostA.run(["session", "create", "--json"], envA);
  expect(created.stderr).toBe("");
  const json = JSON.parse(created.stdout);
  session = {
    sessionId: json.session_id,
    directorId: json.director.agent_id,
    administratorId: json.administrator_agent_id,
  };
  const member = hostB.run(["--json", ...hostB.memberCreateArgs(session, "Remote")], envB);
  expect(member.stderr).toBe("");
  const placed = JSON.parse(member.stdout) as { agent_id: string; placement: { tmux_pane_id: string } };
  memberId = placed.agent_id;
  memberPane = placed.placement.tmux_pane_id;
  await hostB.waitForReady(memberPane);
}, 60_000);

afterAll(() => {
  hostA?.dispose();
  hostB?.dispose();
});

describe("a send on host A to a member whose pane is on host B", () => {
  it("records each placement's host", () => {
    const { openDatabase } = require("../../src/broker/db.ts") as typeof import("../../src/broker/db.ts");
    const { db } = openDatabase(envA);
    const hosts = db
      .query("SELECT agent_id, host FROM agent_placements WHERE agent_id IN (?, ?) ORDER BY host")
      .all(session.directorId, memberId);
    db.close();
    expect(hosts).toEqual([
      { agent_id: session.directorId, host: "host-a" },
      { agent_id: memberId, host: "host-b" },
    ]);
  });

  it("is not typed by A, wakes the member through B's relay, and shows notified", async () => {
    // member create started B's relay in the background: it holds its lease once connected.
    expect(await waitFor(() => relayHolder() !== null, 5000)).toBe(true);
    const sent = sendFromA("across the hosts");
    // A's tmux cannot reach B's pane: the sender pushes nothing itself.
    expect(sent.notificationSent).toBe(false);
    const line = `${pushPollLine(session.sessionId, memberId)}  # from Director`;
    expect(await hostB.waitForInput(memberPane, 1, 5000)).toEqual([line]);
    const arrivedAfter = performance.now() - sent.exitedAt;
    const delivery = getDelivery(sent.taskId);
    expect(delivery.notified_at).not.toBeNull();
    expect(delivery.nudge_count).toBe(1);
    expect(delivery.held_at).toBeNull();
    const notifiedAfter = Date.parse(delivery.notified_at!) - Date.parse(delivery.stored_at);
    console.log(
      `two hosts: stored → notified on host B in ${notifiedAfter} ms; the line reached B's pane ${arrivedAfter.toFixed(0)} ms after A's send exited`,
    );
    // Nothing was typed into the Director's pane on A.
    expect(hostA.inputOf(hostA.directorPane)).toEqual([]);
  }, 20_000);

  it("host A reads no screen of B's pane and never marks it gone; capture says where to run it", () => {
    const listed = hostA.run(
      ["--session-id", session.sessionId, "--json", "member", "list", "--agent-id", session.directorId],
      envA,
    );
    expect(listed.stderr).toBe("");
    const remote = (
      JSON.parse(listed.stdout) as { agent_id: string; state?: string; pane_state?: string }[]
    ).find((member) => member.agent_id === memberId);
    expect(remote).toBeDefined();
    expect(JSON.stringify(remote)).not.toContain('"gone"');
    const captured = hostA.run(
      [
        "--session-id",
        session.sessionId,
        "member",
        "capture",
        "--agent-id",
        session.directorId,
        "--member-id",
        memberId,
      ],
      envA,
    );
    expect(captured).toEqual({
      stdout: "",
      stderr: `Error: member ${memberId}'s pane ${memberPane} is on host host-b, and this is host-a: run this command on host-b.\n`,
      exitCode: 1,
    });
    const { openDatabase } = require("../../src/broker/db.ts") as typeof import("../../src/broker/db.ts");
    const { db } = openDatabase(envA);
    const row = db.query("SELECT pane_gone_at FROM agent_placements WHERE agent_id = ?").get(memberId);
    db.close();
    expect(row).toEqual({ pane_gone_at: null });
  });

  it("stays stored, not notified, while host B has no relay", async () => {
    const { openDatabase } = require("../../src/broker/db.ts") as typeof import("../../src/broker/db.ts");
    const holder = relayHolder();
    expect(holder).not.toBeNull();
    process.kill(Number(holder!.split("-")[0]), "SIGKILL");
    const { db } = openDatabase(envA);
    db.query("DELETE FROM relays WHERE host = 'host-b'").run();
    db.close();
    const before = hostB.inputOf(memberPane).length;
    const sent = sendFromA("nobody relays this");
    expect(sent.notificationSent).toBe(false);
    await Bun.sleep(1500);
    expect(hostB.inputOf(memberPane).length).toBe(before);
    expect(getDelivery(sent.taskId)).toMatchObject({ notified_at: null, nudge_count: 0, held_at: null });
    // A pane placed on B again starts B's relay, which then pushes what waited.
    const second = hostB.run(["--json", ...hostB.memberCreateArgs(session, "Second")], envB);
    expect(second.stderr).toBe("");
    expect(await waitFor(() => getDelivery(sent.taskId).notified_at !== null, 5000)).toBe(true);
    expect(hostB.inputOf(memberPane).at(-1)).toBe(
      `${pushPollLine(session.sessionId, memberId)}  # from Director`,
    );
  }, 30_000);

  it("the other way round: a reply written on B reaches the Director's pane on A through A's relay", async () => {
    const reply = hostB.run(
      [
        "--session-id",
        session.sessionId,
        "--json",
        "send",
        "--agent-id",
        memberId,
        "--to",
        session.directorId,
        "--text",
        "done",
      ],
      envB,
    );
    expect(reply.stderr).toBe("");
    expect(JSON.parse(reply.stdout).notification_sent).toBe(false);
    expect(await hostA.waitForInput(hostA.directorPane, 1, 5000)).toEqual([
      `${pushPollLine(session.sessionId, session.directorId)}  # from Remote`,
    ]);
  }, 20_000);

  it("B's relay exits once host B has no live pane: its tmux server went away", async () => {
    expect(await waitFor(() => relayHolder() !== null, 5000)).toBe(true);
    hostB.tmux.kill();
    expect(await waitFor(() => relayHolder() === null, 5000)).toBe(true);
  }, 20_000);
});
