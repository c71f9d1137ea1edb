import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { sendUnicast } from "../../src/broker/tasks.ts";
import { startServer } from "../server/serve.ts";
import { BINARY, runCafleet } from "../support/cli.ts";
import { waitFor } from "../support/tmux.ts";
import { type CreatedMember, type DirectorSession, MemberHarness } from "./harness.ts";

/** Delivery you can prove (issue 8): polite push, coalescing, re-nudges, gone panes, poll --wait. */

let h: MemberHarness;
let session: DirectorSession;
let directorName: string;

beforeAll(() => {
  h = new MemberHarness("delivery");
  session = h.createSession();
  directorName = h.sql<{ name: string }>("SELECT name FROM agents WHERE agent_id = ?", session.directorId)[0]!
    .name;
}, 60_000);
afterAll(() => h.dispose());

const FAST = { CAFLEET_TEST_NUDGE_TICK_MS: "50" };

function send(to: string, text: string, extra: Record<string, string> = {}, args: string[] = []) {
  const result = h.run(
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
      ...args,
    ],
    extra,
  );
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { task: { id: string }; notification_sent: boolean };
}

function getTask(agentId: string, taskId: string) {
  const result = h.run([
    "--session-id",
    session.sessionId,
    "--json",
    "get-task",
    "--agent-id",
    agentId,
    "--task-id",
    taskId,
  ]);
  return JSON.parse(result.stdout);
}

function poll(agentId: string) {
  return h.run(["--session-id", session.sessionId, "poll", "--agent-id", agentId]);
}

function pollCommand(agentId: string): string {
  return pushPollLine(session.sessionId, agentId);
}

async function newMember(name: string): Promise<CreatedMember> {
  const member = h.createMember(session, name);
  await h.waitForReady(member.placement.tmux_pane_id);
  return member;
}

/** Background nudgers still running for the session (their argv holds `__nudge` and its id). */
function nudgerProcesses(sessionId = session.sessionId): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv.includes("__nudge") && argv.includes(sessionId);
      } catch {
        return false;
      }
    });
}

/** The session's nudger lease is free: no background nudger is working for it. */
const noLease = (_agentId?: string) =>
  h.sql(
    "SELECT session_id FROM sessions WHERE session_id = ? AND nudge_holder IS NOT NULL",
    session.sessionId,
  ).length === 0;

async function openPrompt(pane: string): Promise<void> {
  h.tmux.tmux(["send-keys", "-t", pane, "-l", "/prompt"]);
  h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
  expect(await waitFor(() => h.tmux.capture(pane).includes("Do you want to proceed?"), 3000)).toBe(true);
}

describe("holds at a modal", () => {
  it("never answers a permission prompt: the push and every re-nudge wait, then one line arrives once it closes", async () => {
    const member = await newMember("Asked");
    const pane = member.placement.tmux_pane_id;
    await openPrompt(pane);
    const env = { ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "200,200,200" };
    const sent = send(member.agent_id, "are you there?", env);
    expect(sent.notification_sent).toBe(false);
    await Bun.sleep(1500);
    expect(h.inputOf(pane)).toEqual([]);
    const held = getTask(session.directorId, sent.task.id).delivery;
    expect([held.notified_at, held.held_reason]).toEqual([null, "permission prompt"]);
    expect(held.held_at).not.toBeNull();

    writeFileSync(join(h.dir, `${pane}.idle`), "");
    expect(await h.waitForInput(pane, 1, 5000)).toEqual([
      `${pollCommand(member.agent_id)}  # from ${directorName}`,
    ]);
    const delivered = getTask(session.directorId, sent.task.id).delivery;
    expect([delivered.held_at, delivered.held_reason]).toEqual([null, null]);
    expect(delivered.notified_at).not.toBeNull();
    expect(poll(member.agent_id).exitCode).toBe(0);
    expect(await waitFor(() => noLease(), 3000)).toBe(true);
  });

  it("tells the Director once, from the Administrator, when a member's push is held past the threshold; member list shows it held", async () => {
    const member = await newMember("Stuck");
    const pane = member.placement.tmux_pane_id;
    await openPrompt(pane);
    const env = { ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "none", CAFLEET_TEST_HOLD_REPORT_MS: "600" };
    send(member.agent_id, "please review", env);
    const reports = () =>
      h.sql<{ text: string }>(
        `SELECT json_extract(task_json, '$.artifacts[0].parts[0].text') AS text FROM tasks
         WHERE context_id = ? AND from_agent_id = ? AND type = 'unicast'`,
        session.directorId,
        session.administratorId,
      );
    expect(await waitFor(() => reports().length === 1, 5000)).toBe(true);
    await Bun.sleep(800);
    expect(reports().map((row) => row.text)).toEqual([
      `cafleet: member Stuck (${member.agent_id}) has not been woken for 1 min: its pane shows a permission prompt.\n` +
        `Look at it with \`cafleet --session-id ${session.sessionId} member capture --agent-id ${session.directorId} --member-id ${member.agent_id}\`.`,
    ]);
    const list = runCafleet(
      ["--session-id", session.sessionId, "--json", "member", "list", "--agent-id", session.directorId],
      h.env({ CAFLEET_TEST_HOLD_REPORT_MS: "600" }),
    );
    const listed = JSON.parse(list.stdout) as { agent_id: string; status: string }[];
    expect(listed.find((row) => row.agent_id === member.agent_id)?.status).toBe("held");
    expect(h.inputOf(pane)).toEqual([]);
    writeFileSync(join(h.dir, `${pane}.idle`), "");
    expect(await h.waitForInput(pane, 1, 5000)).toHaveLength(1);
    expect(poll(member.agent_id).exitCode).toBe(0);
    expect(poll(session.directorId).exitCode).toBe(0);
    expect(await waitFor(() => noLease(), 3000)).toBe(true);
  });

  it("runs one background nudger for the whole session, however many members wait", async () => {
    const members = [await newMember("Wait-1"), await newMember("Wait-2"), await newMember("Wait-3")];
    for (const member of members) await openPrompt(member.placement.tmux_pane_id);
    const env = { ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "none" };
    for (const member of members) send(member.agent_id, "hold on", env);
    await Bun.sleep(300);
    expect(nudgerProcesses()).toHaveLength(1);
    for (const member of members) writeFileSync(join(h.dir, `${member.placement.tmux_pane_id}.idle`), "");
    for (const member of members)
      expect(await h.waitForInput(member.placement.tmux_pane_id, 1, 5000)).toHaveLength(1);
    for (const member of members) expect(poll(member.agent_id).exitCode).toBe(0);
    expect(await waitFor(() => nudgerProcesses().length === 0, 5000)).toBe(true);
  });
});

describe("polite push", () => {
  it("types nothing into a busy agent, then one nudge for three messages once it is idle", async () => {
    const member = await newMember("Busy");
    const pane = member.placement.tmux_pane_id;
    h.tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
    h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    expect(await waitFor(() => h.tmux.capture(pane).includes("esc to interrupt"), 3000)).toBe(true);

    const env = { ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "60000" };
    const sent = ["one", "two", "three"].map((text) => send(member.agent_id, text, env));
    expect(sent.map((result) => result.notification_sent)).toEqual([false, false, false]);
    await Bun.sleep(700);
    // The tty echoes keystrokes even while the fake reads nothing: a clean screen means none came.
    expect(h.tmux.capture(pane)).not.toContain("cafleet");
    expect(h.inputOf(pane)).toEqual([]);
    for (const { task } of sent) expect(getTask(session.directorId, task.id).delivery.notified_at).toBeNull();

    writeFileSync(join(h.dir, `${pane}.idle`), "");
    expect(await h.waitForInput(pane, 1, 5000)).toEqual([
      `${pollCommand(member.agent_id)}  # from ${directorName}`,
    ]);
    await Bun.sleep(600);
    expect(h.inputOf(pane)).toHaveLength(1);
    const delivery = getTask(session.directorId, sent[2]!.task.id).delivery;
    expect(delivery.notified_at).not.toBeNull();
    expect(delivery.nudge_count).toBe(1);
    expect(delivery.fetched_at).toBeNull();

    expect(poll(member.agent_id).exitCode).toBe(0);
    for (const { task } of sent) expect(getTask(member.agent_id, task.id).delivery.fetched_at).not.toBeNull();
    expect(await waitFor(() => noLease(member.agent_id), 3000)).toBe(true);
  });

  it("re-nudges an unfetched message with backoff, then stops; the nudger exits", async () => {
    const member = await newMember("Slow");
    const pane = member.placement.tmux_pane_id;
    const env = { ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "300,300" };
    const { task, notification_sent } = send(member.agent_id, "please read", env);
    expect(notification_sent).toBe(true);
    const nudge = `${pollCommand(member.agent_id)}  # from ${directorName}`;
    expect(await h.waitForInput(pane, 3, 5000)).toEqual([pollCommand(member.agent_id), nudge, nudge]);
    expect(await waitFor(() => noLease(member.agent_id), 3000)).toBe(true);
    expect(await waitFor(() => nudgerProcesses().length === 0, 3000)).toBe(true);
    await Bun.sleep(700);
    expect(h.inputOf(pane)).toHaveLength(3);
    const delivery = getTask(session.directorId, task.id).delivery;
    expect(delivery.nudge_count).toBe(3);
    expect(delivery.fetched_at).toBeNull();
  });

  it("never nudges again for a message already fetched", async () => {
    const member = await newMember("Quick");
    const pane = member.placement.tmux_pane_id;
    const { task } = send(member.agent_id, "read me now", {
      ...FAST,
      CAFLEET_TEST_NUDGE_BACKOFF_MS: "300,300",
    });
    expect(poll(member.agent_id).stdout).toContain(task.id);
    await Bun.sleep(1000);
    expect(h.inputOf(pane)).toEqual([pollCommand(member.agent_id)]);
    expect(await waitFor(() => noLease(member.agent_id), 3000)).toBe(true);
  });
});

describe("the web server", () => {
  it("holds a push to a busy agent and lets the same background nudger type it later", async () => {
    const member = await newMember("WebBusy");
    const pane = member.placement.tmux_pane_id;
    h.tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
    h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    expect(await waitFor(() => h.tmux.capture(pane).includes("esc to interrupt"), 3000)).toBe(true);
    const server = await startServer(h.env({ ...FAST, CAFLEET_TEST_NUDGE_BACKOFF_MS: "60000" }));
    try {
      const post = (text: string) =>
        fetch(`${server.base}/ui/api/messages/send`, {
          method: "POST",
          headers: { "X-Session-Id": session.sessionId, "Content-Type": "application/json" },
          body: JSON.stringify({
            from_agent_id: session.administratorId,
            to_agent_id: member.agent_id,
            text,
          }),
        });
      expect((await post("from the web")).status).toBe(200);
      expect((await post("and again")).status).toBe(200);
      await Bun.sleep(500);
      expect(h.tmux.capture(pane)).not.toContain("cafleet");
      writeFileSync(join(h.dir, `${pane}.idle`), "");
      expect(await h.waitForInput(pane, 1, 5000)).toEqual([
        `${pollCommand(member.agent_id)}  # from Administrator`,
      ]);
      const timeline = await fetch(`${server.base}/ui/api/timeline`, {
        headers: { "X-Session-Id": session.sessionId },
      });
      const rows = (
        (await timeline.json()) as {
          messages: { body: string; nudge_count: number; notified_at: string | null }[];
        }
      ).messages.filter((row) => row.body === "from the web" || row.body === "and again");
      expect(rows.map((row) => row.nudge_count)).toEqual([1, 1]);
      for (const row of rows) expect(row.notified_at).not.toBeNull();
    } finally {
      await server.stop();
    }
    expect(poll(member.agent_id).exitCode).toBe(0);
  });
});

describe("gone panes", () => {
  it("notices a killed pane on member list and on send, and respawns the same agent with its inbox", async () => {
    const member = await newMember("Fragile");
    const oldPane = member.placement.tmux_pane_id;
    const unread = send(member.agent_id, "before the crash");
    h.tmux.tmux(["kill-pane", "-t", oldPane]);

    const list = h.member(session, "list", []);
    const row = list.stdout.split("\n").find((line) => line.includes("Fragile"))!;
    expect(row.split(/\s+/)[3]).toBe("gone");
    const listed = JSON.parse(h.member(session, "list", [], { json: true }).stdout);
    expect(listed.find((m: { agent_id: string }) => m.agent_id === member.agent_id).status).toBe("gone");

    const failed = send(member.agent_id, "are you there?");
    expect(failed.notification_sent).toBe(false);
    const delivery = getTask(session.directorId, failed.task.id).delivery;
    expect(delivery.notify_failed_at).not.toBeNull();
    expect(delivery.notify_error).toContain(`stderr: can't find pane: ${oldPane}`);

    const respawned = h.member(session, "respawn", ["--member-id", member.agent_id], { json: true });
    expect(respawned.stderr).toBe("");
    expect(respawned.exitCode).toBe(0);
    const body = JSON.parse(respawned.stdout);
    expect(body.agent_id).toBe(member.agent_id);
    expect(body.previous_pane_id).toBe(oldPane);
    expect(h.paneAlive(body.pane_id)).toBe(true);
    const argv = await h.argvOf(body.pane_id);
    expect(argv.slice(0, 3)).toEqual(["claude", "--name", "Fragile"]);
    expect(argv[3]).toContain(`your agent_id is ${member.agent_id}.`);

    const after = JSON.parse(h.member(session, "list", [], { json: true }).stdout);
    const again = after.find((m: { agent_id: string }) => m.agent_id === member.agent_id);
    expect(again.status).toBe("active");
    expect(again.placement.tmux_pane_id).toBe(body.pane_id);
    const inbox = poll(member.agent_id).stdout;
    expect(inbox).toContain(unread.task.id);
    expect(inbox).toContain(failed.task.id);
  });

  it("trusts no pane listing that lacks the caller's own pane (a fake tmux with canned output)", async () => {
    const member = await newMember("Listed");
    const fakeBin = join(h.dir, "fake-tmux-bin");
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(join(fakeBin, "tmux"), "#!/bin/sh\necho '%999'\n", { mode: 0o755 });
    const result = h.run(
      ["--session-id", session.sessionId, "--json", "member", "list", "--agent-id", session.directorId],
      {
        PATH: `${fakeBin}:${h.path}`,
      },
    );
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout).find(
      (m: { agent_id: string }) => m.agent_id === member.agent_id,
    );
    expect(listed.status).toBe("active");
    expect(h.sql("SELECT pane_gone_at FROM agent_placements WHERE agent_id = ?", member.agent_id)).toEqual([
      { pane_gone_at: null },
    ]);
  });

  it("refuses to respawn a member whose pane is alive", async () => {
    const member = await newMember("Alive");
    const result = h.member(session, "respawn", ["--member-id", member.agent_id]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `Error: member ${member.agent_id} is still running in pane ${member.placement.tmux_pane_id}; respawn only replaces a gone pane (stop it with \`cafleet member delete\`).\n`,
    );
  });
});

describe("poll --wait", () => {
  function startWait(agentId: string, seconds: string) {
    return Bun.spawn(
      [BINARY, "--session-id", session.sessionId, "poll", "--agent-id", agentId, "--wait", seconds],
      {
        env: h.env() as Record<string, string>,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
  }

  it("wakes within 100 ms (median) of a send committed by another process", async () => {
    const member = h.createMember(session, "Waiter");
    const db = new Database(join(h.dir, "cafleet.db"));
    db.run("PRAGMA busy_timeout = 5000");
    const latencies: number[] = [];
    for (let i = 0; i < 9; i++) {
      const proc = startWait(member.agent_id, "10");
      await Bun.sleep(400);
      const committed = performance.now();
      const task = sendUnicast(db, {
        sessionId: session.sessionId,
        fromAgentId: session.directorId,
        toAgentId: member.agent_id,
        text: `wake ${i}`,
      });
      const out = await new Response(proc.stdout).text();
      latencies.push(performance.now() - committed);
      expect(await proc.exited).toBe(0);
      expect(out).toContain(task.id);
      poll(member.agent_id);
      h.run(["--session-id", session.sessionId, "ack", "--agent-id", member.agent_id, "--task-id", task.id]);
    }
    db.close();
    const median = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!;
    console.log(
      `poll --wait wake-up after commit: median ${median.toFixed(1)} ms of ${latencies.map((l) => l.toFixed(0)).join(", ")}`,
    );
    expect(median).toBeLessThanOrEqual(100);
  });

  it("returns at the timeout when nothing arrives", async () => {
    const member = h.createMember(session, "Idle");
    const start = performance.now();
    const proc = startWait(member.agent_id, "0.6");
    const out = await new Response(proc.stdout).text();
    const elapsed = performance.now() - start;
    expect(await proc.exited).toBe(0);
    expect(out).toBe("No messages found.\n");
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(2500);
  });
});
