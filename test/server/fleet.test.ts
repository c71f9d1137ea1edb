import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../../src/broker/agents.ts";
import { openConnection } from "../../src/broker/db.ts";
import { recordFetched, recordHeld } from "../../src/broker/delivery.ts";
import { recordPaneServer } from "../../src/broker/pane-address.ts";
import { createSession } from "../../src/broker/sessions.ts";
import { sendUnicast } from "../../src/broker/tasks.ts";
import { createApp } from "../../src/server/app.ts";
import { fleetReader } from "../../src/server/fleet.ts";
import type { Fleet, FleetAgent } from "../../src/server/model.ts";
import type { Database } from "../../src/store/database.ts";
import { isolatedEnv, makeTempDir } from "../support/cli.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";
import { fakeAgentCommand, openFakeWindow } from "../tmux/fake-agent.ts";
import { eventsOf, readStream } from "./event-stream.ts";
import { errorBody, errorOf, type Fixture, makeFixture, PORT, sessionHeaders } from "./fixture.ts";
import { startServer } from "./serve.ts";

setDefaultTimeout(30_000);

/**
 * The fleet console's server side against real panes: a private tmux server whose panes run the
 * project's fake REPL, one member in each state the push's classifier names.
 */

const PERMISSION_PROMPT = [
  "● Bash(rm -rf build)",
  "",
  " Bash command",
  "",
  "   rm -rf build",
  "",
  " Do you want to proceed?",
  " ❯ 1. Yes",
  "   2. No, and tell Claude what to do differently (esc)",
].join("\n");

let tmux: PrivateTmux;
let fakeDir: { dir: string; cleanup: () => void };
let socket: string;
let fx: Fixture;
let other: Database;
const members: Record<string, { id: string; pane: string | null }> = {};

function submit(pane: string, line: string): void {
  tmux.tmux(["send-keys", "-t", pane, "-l", line]);
  tmux.tmux(["send-keys", "-t", pane, "Enter"]);
}

async function showing(pane: string, text: string): Promise<void> {
  if (!(await waitFor(() => tmux.capture(pane).includes(text), 5000)))
    throw new Error(`pane ${pane} never showed ${JSON.stringify(text)}:\n${tmux.capture(pane)}`);
}

/** A window running the fake REPL as `name`; returns its pane once the prompt is up. */
async function fakePane(name: string): Promise<string> {
  const pane = openFakeWindow(tmux, name);
  await showing(pane, `fake ${name} ready\n>`);
  return pane;
}

/** A member of the root Director, placed in `pane` (null: pending, its pane not split yet). */
function addMember(name: string, pane: string | null, model: string | null = null): string {
  const windowId =
    pane === null ? "@0" : tmux.tmux(["display-message", "-p", "-t", pane, "#{window_id}"]).trim();
  const { agent_id } = registerAgent(fx.db, {
    sessionId: fx.sessionId,
    name,
    description: `${name} works here`,
    skills: [],
    placement: {
      director_agent_id: fx.directorId,
      tmux_session: "main",
      tmux_window_id: windowId,
      tmux_pane_id: pane,
      coding_agent: "claude",
    },
  });
  if (pane !== null) recordPaneServer(fx.db, agent_id, socket, "claude");
  if (model !== null)
    fx.db.query("UPDATE agent_placements SET model = ? WHERE agent_id = ?").run(model, agent_id);
  members[name] = { id: agent_id, pane };
  return agent_id;
}

const idOf = (name: string) => members[name]!.id;
const paneOf = (name: string) => members[name]!.pane!;

beforeAll(async () => {
  fakeDir = makeTempDir("cafleet-fleet-fakes-");
  tmux = new PrivateTmux("fleet");
  const directorPane = tmux.start(
    "main",
    {},
    {
      env: { CAFLEET_FAKE_AGENT_DIR: fakeDir.dir, CAFLEET_DATABASE_URL: undefined, LANG: "C.UTF-8" },
      command: fakeAgentCommand("director"),
    },
  );
  socket = tmux.tmux(["display-message", "-p", "#{socket_path}"]).trim();
  await showing(directorPane, "fake director ready\n>");
  const windowId = tmux.tmux(["display-message", "-p", "-t", directorPane, "#{window_id}"]).trim();
  fx = await makeFixture({
    watchIntervalMs: 50,
    fleetIntervalMs: 200,
    tmux: { session: "main", windowId, paneId: directorPane, server: socket, repl: "claude" },
  });
  other = openConnection(fx.db.filename);
  addMember("Idle", await fakePane("Idle"), "sonnet");
  addMember("Busy", await fakePane("Busy"));
  addMember("Asking", await fakePane("Asking"), "opus");
  addMember("Gone", await fakePane("Gone"));
  addMember("Question", await fakePane("Question"));
  addMember("Pending", null);
  submit(paneOf("Busy"), "/busy");
  submit(paneOf("Asking"), "/prompt");
  submit(paneOf("Question"), "/ask 2");
  tmux.tmux(["kill-pane", "-t", paneOf("Gone")]);
  await showing(paneOf("Busy"), "esc to interrupt");
  await showing(paneOf("Asking"), "Do you want to proceed?");
  await showing(paneOf("Question"), "Chat about this");
}, 60_000);

afterAll(() => {
  other?.close();
  fx?.cleanup();
  tmux?.kill();
  fakeDir?.cleanup();
});

async function getJson(path: string) {
  const response = await fx.request(path, { headers: sessionHeaders(fx) });
  return { status: response.status, body: await response.json() };
}

function entry(agent_id: string, fields: Partial<FleetAgent> = {}): FleetAgent {
  return {
    agent_id,
    state: "no_pane",
    state_detail: null,
    coding_agent: null,
    model: null,
    unread: 0,
    held: 0,
    last_activity: null,
    ...fields,
  };
}

/** The fleet before any message: one entry per agent of /ui/api/agents, in its order. */
function quietFleet(): FleetAgent[] {
  return [
    entry(fx.directorId, { state: "idle", coding_agent: "claude" }),
    entry(fx.administratorId),
    entry(fx.claudeId),
    entry(fx.reviewerId),
    entry(idOf("Idle"), { state: "idle", coding_agent: "claude", model: "sonnet" }),
    entry(idOf("Busy"), { state: "working", state_detail: "working", coding_agent: "claude" }),
    entry(idOf("Asking"), {
      state: "waiting",
      state_detail: "permission prompt",
      coding_agent: "claude",
      model: "opus",
    }),
    entry(idOf("Gone"), { state: "gone", coding_agent: "claude" }),
    entry(idOf("Question"), { state: "waiting", state_detail: "question", coding_agent: "claude" }),
    entry(idOf("Pending"), { state: "pending", coding_agent: "claude" }),
  ];
}

describe("GET /ui/api/fleet", () => {
  it("shows each agent of /ui/api/agents in its live state: idle, working, waiting at a prompt or a question, gone, pending, no pane", async () => {
    const agents = await getJson("/ui/api/agents");
    const { status, body } = await getJson("/ui/api/fleet");
    expect(status).toBe(200);
    expect(body.agents.map((agent: FleetAgent) => agent.agent_id)).toEqual(
      agents.body.agents.map((agent: { agent_id: string }) => agent.agent_id),
    );
    expect(body).toEqual({ agents: quietFleet() });
    expect(Object.keys(body.agents[0])).toEqual([
      "agent_id",
      "state",
      "state_detail",
      "coding_agent",
      "model",
      "unread",
      "held",
      "last_activity",
    ]);
    // The gone pane is recorded, as `member list` records it.
    const row = fx.db
      .query("SELECT pane_gone_at FROM agent_placements WHERE agent_id = ?")
      .get(idOf("Gone")) as {
      pane_gone_at: string | null;
    };
    expect(row.pane_gone_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("counts unread (delivered, not fetched) and held deliveries, and the last activity", async () => {
    const first = sendUnicast(fx.db, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: idOf("Idle"),
      text: "one",
    });
    sendUnicast(fx.db, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: idOf("Idle"),
      text: "two",
    });
    recordFetched(fx.db, [first.id]);
    const held = sendUnicast(fx.db, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: idOf("Asking"),
      text: "three",
    });
    recordHeld(fx.db, [held.id], "permission prompt");
    const fetchedAt = (
      fx.db.query("SELECT fetched_at FROM tasks WHERE task_id = ?").get(first.id) as {
        fetched_at: string;
      }
    ).fetched_at;
    const lastSent = (
      fx.db.query("SELECT MAX(created_at) AS at FROM tasks WHERE from_agent_id = ?").get(fx.claudeId) as {
        at: string;
      }
    ).at;
    const { body } = await getJson("/ui/api/fleet");
    const expected = quietFleet();
    expected[2] = { ...expected[2]!, last_activity: lastSent };
    expected[4] = { ...expected[4]!, unread: 1, last_activity: fetchedAt };
    expected[6] = { ...expected[6]!, unread: 1, held: 1 };
    expect(body).toEqual({ agents: expected });
  });
});

describe("the compiled server", () => {
  it("reads screens right when started without a UTF-8 locale (tmux would print a tab as _)", async () => {
    const env = isolatedEnv(fakeDir.dir, { CAFLEET_DATABASE_URL: `sqlite:///${fx.db.filename}` });
    for (const name of ["LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE"]) delete env[name];
    const server = await startServer(env);
    try {
      const response = await fetch(`${server.base}/ui/api/fleet`, { headers: sessionHeaders(fx) });
      const body = (await response.json()) as Fleet;
      expect(
        [idOf("Idle"), idOf("Busy"), idOf("Asking")].map(
          (id) => body.agents.find((agent) => agent.agent_id === id)?.state,
        ),
      ).toEqual(["idle", "working", "waiting"]);
      const screen = await fetch(`${server.base}/ui/api/agents/${idOf("Asking")}/screen`, {
        headers: sessionHeaders(fx),
      });
      expect(((await screen.json()) as { content: string }).content).toBe(PERMISSION_PROMPT);
    } finally {
      await server.stop();
    }
  });
});

describe("GET /ui/api/agents/:agent_id/screen", () => {
  it("returns the pane's text exactly, each line without trailing blanks", async () => {
    const idle = await getJson(`/ui/api/agents/${idOf("Idle")}/screen`);
    expect(idle.status).toBe(200);
    expect(Object.keys(idle.body)).toEqual(["agent_id", "state", "content", "captured_at"]);
    expect(idle.body).toMatchObject({ agent_id: idOf("Idle"), state: "idle", content: "fake Idle ready\n>" });
    expect(idle.body.captured_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const asking = await getJson(`/ui/api/agents/${idOf("Asking")}/screen`);
    expect([asking.body.state, asking.body.content]).toEqual(["waiting", PERMISSION_PROMPT]);
    const busy = await getJson(`/ui/api/agents/${idOf("Busy")}/screen`);
    expect([busy.body.state, busy.body.content]).toEqual(["working", "* Working... (esc to interrupt)"]);
  });

  it("never types into the pane", async () => {
    const before = tmux.capture(paneOf("Asking"));
    for (let round = 0; round < 3; round++) await getJson(`/ui/api/agents/${idOf("Asking")}/screen`);
    expect(tmux.capture(paneOf("Asking"))).toBe(before);
    expect(await Bun.file(join(fakeDir.dir, `${paneOf("Asking")}.input`)).exists()).toBe(false);
  });

  it("has no content without a live pane", async () => {
    for (const [id, state] of [
      [idOf("Gone"), "gone"],
      [idOf("Pending"), "pending"],
      [fx.administratorId, "no_pane"],
      [fx.claudeId, "no_pane"],
    ] as const) {
      const { status, body } = await getJson(`/ui/api/agents/${id}/screen`);
      expect([status, body.agent_id, body.state, body.content]).toEqual([200, id, state, null]);
    }
  });

  it("answers 404 Agent not found for an agent outside the session", async () => {
    const elsewhere = createSession(fx.db, null, { session: "x", windowId: "@9", paneId: "%99" });
    for (const id of [elsewhere.administrator_agent_id, crypto.randomUUID(), "junk"])
      expect(
        await errorOf(await fx.request(`/ui/api/agents/${id}/screen`, { headers: sessionHeaders(fx) })),
      ).toEqual({ status: 404, body: errorBody("Agent not found") });
  });
});

/** Reads an event stream until `done` says enough or the time runs out; returns its fleet events. */
async function readFleets(response: Response, done: (fleets: Fleet[]) => boolean, timeoutMs: number) {
  const fleets = (text: string) => eventsOf<Fleet>(text, "fleet");
  return fleets(await readStream(response, (text) => done(fleets(text)), timeoutMs));
}

const stateOf = (fleet: Fleet, id: string) => fleet.agents.find((agent) => agent.agent_id === id)?.state;

describe("fleet events on /ui/api/events", () => {
  it("sends the fleet once after connect, then only when it changes (a working member back at its prompt)", async () => {
    const now = (await getJson("/ui/api/fleet")).body as Fleet;
    const response = await fx.request(`/ui/api/events?session_id=${fx.sessionId}`);
    // Five looks (every 200 ms) at an unchanged fleet, then the busy member finishes its turn.
    setTimeout(() => writeFileSync(join(fakeDir.dir, `${paneOf("Busy")}.idle`), ""), 1000);
    const fleets = await readFleets(response, (seen) => seen.length >= 2, 5000);
    expect(fleets).toHaveLength(2);
    expect(fleets[0]).toEqual(now);
    const busy = now.agents.findIndex((agent) => agent.agent_id === idOf("Busy"));
    const after = structuredClone(now);
    after.agents[busy] = { ...after.agents[busy]!, state: "idle", state_detail: null };
    expect(fleets[1]).toEqual(after);
  });

  it("refreshes on another process's write at once, not on the next screen look", async () => {
    const live = await createApp(fx.db, {
      host: "127.0.0.1",
      port: PORT,
      uiDir: join(fx.dir, "ui"),
      env: {},
      watchIntervalMs: 50,
      fleetIntervalMs: 60_000,
    });
    try {
      const response = await live.handle(
        new Request(`http://localhost/ui/api/events?session_id=${fx.sessionId}`),
      );
      setTimeout(
        () =>
          sendUnicast(other, {
            sessionId: fx.sessionId,
            fromAgentId: fx.claudeId,
            toAgentId: idOf("Busy"),
            text: "four",
          }),
        500,
      );
      const fleets = await readFleets(response, (seen) => seen.length >= 2, 3000);
      expect(fleets).toHaveLength(2);
      const unreadOf = (fleet: Fleet) =>
        fleet.agents.find((agent) => agent.agent_id === idOf("Busy"))?.unread;
      expect([unreadOf(fleets[0]!), unreadOf(fleets[1]!)]).toEqual([0, 1]);
      expect(stateOf(fleets[1]!, idOf("Busy"))).toBe("idle");
    } finally {
      live.decorator.live.close();
    }
  });
});

describe("the live feed's fleet reader", () => {
  it("re-reads counts on a data change without looking at the panes again; its tick looks", async () => {
    const read = fleetReader(fx.db, {});
    const entryOf = (fleet: Fleet) => fleet.agents.find((agent) => agent.agent_id === idOf("Busy"))!;
    const before = entryOf(await read(fx.sessionId, true));
    expect([before.state, before.unread]).toEqual(["idle", 1]);
    submit(paneOf("Busy"), "/busy");
    await showing(paneOf("Busy"), "esc to interrupt");
    sendUnicast(fx.db, {
      sessionId: fx.sessionId,
      fromAgentId: fx.claudeId,
      toAgentId: idOf("Busy"),
      text: "five",
    });
    const counted = entryOf(await read(fx.sessionId, false));
    expect([counted.state, counted.unread]).toEqual(["idle", 2]);
    const looked = entryOf(await read(fx.sessionId, true));
    expect([looked.state, looked.state_detail, looked.unread]).toEqual(["working", "working", 2]);
    writeFileSync(join(fakeDir.dir, `${paneOf("Busy")}.idle`), "");
    await showing(paneOf("Busy"), "fake Busy idle");
  });
});

describe("a tmux server that does not answer", () => {
  let stalled: PrivateTmux;
  let stalledPid = 0;
  afterAll(() => {
    if (stalledPid) process.kill(stalledPid, "SIGCONT");
    stalled?.kill();
  });

  it("costs the request one timeout and shows its panes as unknown", async () => {
    stalled = new PrivateTmux("fleet-stalled");
    const pane = stalled.start("main", {}, { command: ["sleep", "600"] });
    const stalledSocket = stalled.tmux(["display-message", "-p", "#{socket_path}"]).trim();
    const pid = Number(stalled.tmux(["display-message", "-p", "#{pid}"]).trim());
    const id = addMember("Stalled", null);
    fx.db.query("UPDATE agent_placements SET tmux_pane_id = ? WHERE agent_id = ?").run(pane, id);
    recordPaneServer(fx.db, id, stalledSocket, "claude");
    process.kill(pid, "SIGSTOP");
    stalledPid = pid;
    const started = performance.now();
    const { status, body } = await getJson("/ui/api/fleet");
    const elapsed = performance.now() - started;
    process.kill(pid, "SIGCONT");
    stalledPid = 0;
    expect(status).toBe(200);
    expect(stateOf(body, id)).toBe("unknown");
    expect(stateOf(body, idOf("Idle"))).toBe("idle");
    // One timeout (2 s) for the look and the gone check together, not one per call.
    expect(elapsed).toBeGreaterThan(1900);
    expect(elapsed).toBeLessThan(3500);
  });
});
