/**
 * The fleet console's figures from one `cafleet server` process, over a private tmux server
 * whose PANES panes run the project's fake REPL: GET /ui/api/fleet and one agent's screen, the
 * time from a screen change to the stream's `event: fleet`, and the server's CPU with no page
 * open against one page watching the fleet.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../src/broker/agents.ts";
import { recordPaneServer } from "../src/broker/pane-address.ts";
import { createSession } from "../src/broker/sessions.ts";
import type { Fleet } from "../src/server/model.ts";
import { startServer } from "../test/server/serve.ts";
import { PrivateTmux, waitFor } from "../test/support/tmux.ts";
import { fakeAgentCommand, openFakeWindow } from "../test/tmux/fake-agent.ts";
import { makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const PANES = 8;
const CHANGE_TARGET_MS = 1500;
const CPU_SECONDS = 3;

/** utime + stime of a process, in ms (Linux clock ticks are 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function timed(run: () => Promise<void>, times: number): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    await run();
    durations.push(performance.now() - started);
  }
  return durations;
}

/** The stream's fleet events, newest last, read in the background. */
class FleetStream {
  readonly fleets: { at: number; fleet: Fleet }[] = [];
  private readonly controller = new AbortController();

  constructor(url: string) {
    void this.read(url);
  }

  private async read(url: string): Promise<void> {
    try {
      const response = await fetch(url, { signal: this.controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith("event: fleet\n"))
            this.fleets.push({
              at: performance.now(),
              fleet: JSON.parse(block.slice(block.indexOf("data: ") + 6)),
            });
        }
      }
    } catch {
      // aborted
    }
  }

  /** When a fleet event after `since` first showed `agentId` in `state`. */
  async waitFor(agentId: string, state: string, since: number): Promise<number> {
    const shown = () =>
      this.fleets.find(
        ({ at, fleet }) =>
          at >= since && fleet.agents.some((agent) => agent.agent_id === agentId && agent.state === state),
      );
    if (!(await waitFor(() => shown() !== undefined, 5000)))
      throw new Error(
        `fleet never showed ${state}: ${JSON.stringify(this.fleets.map(({ at, fleet }) => [at - since, fleet.agents.find((agent) => agent.agent_id === agentId)?.state]))}`,
      );
    return shown()!.at;
  }

  close(): void {
    this.controller.abort();
  }
}

export async function fleetFigures(): Promise<Row[]> {
  const requests = sized(30, 10);
  const changes = sized(6, 3);
  const workspace = makeWorkspace("fleet");
  const db = openWorkspaceDb(workspace);
  const tmux = new PrivateTmux("bench-fleet");
  const first = tmux.start(
    "main",
    {},
    {
      env: { CAFLEET_FAKE_AGENT_DIR: workspace.dir, LANG: "C.UTF-8" },
      command: fakeAgentCommand("director"),
    },
  );
  const socket = tmux.tmux(["display-message", "-p", "#{socket_path}"]).trim();
  const session = createSession(db, "bench", {
    session: "main",
    windowId: "@0",
    paneId: first,
    server: socket,
    repl: "claude",
  });
  const members: { id: string; pane: string }[] = [];
  for (let index = 0; index < PANES - 1; index++) {
    const pane = openFakeWindow(tmux, `m${index}`);
    const { agent_id } = registerAgent(db, {
      sessionId: session.session_id,
      name: `m${index}`,
      description: "bench member",
      skills: [],
      placement: {
        director_agent_id: session.director.agent_id,
        tmux_session: "main",
        tmux_window_id: "@0",
        tmux_pane_id: pane,
        coding_agent: "claude",
      },
    });
    recordPaneServer(db, agent_id, socket, "claude");
    members.push({ id: agent_id, pane });
  }
  await waitFor(() => members.every(({ pane }) => tmux.capture(pane).includes("ready")), 5000);
  const server = await startServer(workspace.env);
  const headers = { "x-session-id": session.session_id };
  const rows: Row[] = [];
  try {
    const get = async (path: string) => {
      const response = await fetch(`${server.base}${path}`, { headers });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      await response.arrayBuffer();
    };
    await get("/ui/api/fleet");
    const fleetMs = await timed(() => get("/ui/api/fleet"), requests);
    const screenMs = await timed(() => get(`/ui/api/agents/${members[0]!.id}/screen`), requests);
    rows.push(
      {
        figure: "fleet",
        measure: `GET /ui/api/fleet, ${PANES} live panes (median of ${requests})`,
        value: median(fleetMs),
        unit: "ms",
        target: "report",
        holds: null,
        note: `min ${Math.min(...fleetMs).toFixed(1)} ms, max ${Math.max(...fleetMs).toFixed(1)} ms`,
      },
      {
        figure: "fleet",
        measure: `GET /ui/api/agents/:id/screen (median of ${requests})`,
        value: median(screenMs),
        unit: "ms",
        target: "report",
        holds: null,
      },
    );

    const idleStarted = cpuMs(server.proc.pid);
    await Bun.sleep(CPU_SECONDS * 1000);
    const idleCpu = (cpuMs(server.proc.pid) - idleStarted) / CPU_SECONDS;

    const stream = new FleetStream(`${server.base}/ui/api/events?session_id=${session.session_id}`);
    await waitFor(() => stream.fleets.length > 0, 5000);
    const watchedStarted = cpuMs(server.proc.pid);
    await Bun.sleep(CPU_SECONDS * 1000);
    const watchedCpu = (cpuMs(server.proc.pid) - watchedStarted) / CPU_SECONDS;

    const { id, pane } = members[0]!;
    const latencies: number[] = [];
    for (let run = 0; run < changes; run++) {
      // Out of step with the once-a-second look, as a real screen change is.
      await Bun.sleep(Math.random() * 1000);
      const busyAt = performance.now();
      tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
      tmux.tmux(["send-keys", "-t", pane, "Enter"]);
      latencies.push((await stream.waitFor(id, "working", busyAt)) - busyAt);
      await Bun.sleep(Math.random() * 1000);
      const idleAt = performance.now();
      writeFileSync(join(workspace.dir, `${pane}.idle`), "");
      latencies.push((await stream.waitFor(id, "idle", idleAt)) - idleAt);
    }
    stream.close();
    const change = median(latencies);
    rows.push(
      {
        figure: "fleet",
        measure: `screen change → event: fleet (median of ${latencies.length})`,
        value: change,
        unit: "ms",
        target: `≤ ${CHANGE_TARGET_MS} ms`,
        holds: change <= CHANGE_TARGET_MS,
        note: `min ${Math.min(...latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; screens are looked at once a second`,
      },
      {
        figure: "fleet",
        measure: "server CPU, no page open",
        value: idleCpu,
        unit: "ms/s",
        target: "report",
        holds: null,
      },
      {
        figure: "fleet",
        measure: `server CPU, one page watching ${PANES} panes`,
        value: watchedCpu,
        unit: "ms/s",
        target: "report",
        holds: null,
      },
    );
    return rows;
  } finally {
    await server.stop();
    tmux.kill();
    db.close();
    workspace.dispose();
  }
}
