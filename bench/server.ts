/**
 * The server's figures from one `cafleet server` process: live UI latency (CLI send returning →
 * the message in the SSE stream), RSS when idle and after streaming STREAMED messages to a live
 * client, and requests/s on /ui/api/timeline with CLIENTS concurrent clients.
 */
import { readFileSync } from "node:fs";
import { sendUnicast } from "../src/broker/tasks.ts";
import { startServer } from "../test/server/serve.ts";
import { createTeam, makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { BINARY } from "./lib/run.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const LIVE_TARGET_MS = 300;
const RSS_TARGET_MB = 80;
const CLIENTS = 10;
const BATCH = 50;
const BATCH_PAUSE_MS = 100;

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Reads the SSE stream in the background and remembers when each message body was first seen. */
class StreamWatcher {
  readonly seen = new Map<string, number>();
  readonly taskIds = new Set<string>();
  private readonly controller = new AbortController();

  constructor(url: string) {
    void this.read(url);
  }

  private async read(url: string): Promise<void> {
    const response = await fetch(url, { signal: this.controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          this.handle(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted
    }
  }

  private handle(event: string): void {
    // Timeline changes only: the stream also carries the fleet console's `event: fleet`.
    if (!event.startsWith("event: change\n")) return;
    const data = event.split("\n").find((line) => line.startsWith("data: "));
    if (!data) return;
    const now = performance.now();
    const parsed = JSON.parse(data.slice(6)) as { messages: { task_id: string; body: string }[] };
    for (const message of parsed.messages) {
      this.taskIds.add(message.task_id);
      if (!this.seen.has(message.body)) this.seen.set(message.body, now);
    }
  }

  async waitFor(body: string, timeoutMs = 5000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (!this.seen.has(body)) {
      if (performance.now() > deadline) throw new Error(`live stream never showed "${body}"`);
      await Bun.sleep(1);
    }
    return this.seen.get(body)!;
  }

  close(): void {
    this.controller.abort();
  }
}

export async function serverFigures(): Promise<Row[]> {
  const liveRuns = sized(20, 10);
  const streamed = sized(10_000, 2_000);
  const loadSeconds = sized(5, 2);
  const workspace = makeWorkspace("server");
  const db = openWorkspaceDb(workspace);
  const team = createTeam(db, 10);
  const [from, to] = team.agentIds as [string, string];
  const server = await startServer(workspace.env);
  const rows: Row[] = [];
  try {
    await fetch(`${server.base}/ui/`).then((response) => response.arrayBuffer());
    await Bun.sleep(500);
    const idleRss = rssMb(server.proc.pid);
    const watcher = new StreamWatcher(`${server.base}/ui/api/events?session_id=${team.sessionId}`);
    await Bun.sleep(300);

    const latencies: number[] = [];
    for (let run = 0; run < liveRuns; run++) {
      const marker = `live-${run}`;
      const proc = Bun.spawn(
        [BINARY, "--session-id", team.sessionId, "send", "--agent-id", from, "--to", to, "--text", marker],
        { env: workspace.env, stdout: "ignore", stderr: "inherit" },
      );
      if ((await proc.exited) !== 0) throw new Error("live latency: send failed");
      const returned = performance.now();
      latencies.push(Math.max(0, (await watcher.waitFor(marker)) - returned));
      await Bun.sleep(50 + Math.random() * 150);
    }
    const live = median(latencies);
    rows.push({
      figure: "live UI latency",
      measure: `CLI send → SSE stream (median of ${liveRuns})`,
      value: live,
      unit: "ms",
      target: `≤ ${LIVE_TARGET_MS} ms`,
      holds: live <= LIVE_TARGET_MS,
      note: `min ${Math.min(...latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; the feed looks for commits every 150 ms`,
    });

    // Batches small enough for each look of the feed to carry all of them.
    const streamStarted = performance.now();
    for (let sent = 0; sent < streamed; sent += BATCH) {
      db.transaction(() => {
        for (let n = 0; n < BATCH; n++)
          sendUnicast(db, {
            sessionId: team.sessionId,
            fromAgentId: from,
            toAgentId: to,
            text: `stream ${sent + n}`,
          });
      })();
      await Bun.sleep(BATCH_PAUSE_MS);
    }
    await watcher.waitFor(`stream ${streamed - 1}`, 10_000);
    const streamSeconds = (performance.now() - streamStarted) / 1000;
    const received = [...watcher.seen.keys()].filter((body) => body.startsWith("stream ")).length;
    await Bun.sleep(500);
    const streamedRss = rssMb(server.proc.pid);
    watcher.close();
    for (const [measure, value] of [
      ["RSS idle", idleRss],
      [`RSS after streaming ${streamed} messages`, streamedRss],
    ] as const)
      rows.push({
        figure: "server",
        measure,
        value,
        unit: "MB",
        target: `≤ ${RSS_TARGET_MB} MB`,
        holds: value <= RSS_TARGET_MB,
        note: measure.startsWith("RSS after")
          ? `${received} of ${streamed} messages seen on the stream in ${streamSeconds.toFixed(1)} s`
          : undefined,
      });

    let requests = 0;
    const deadline = performance.now() + loadSeconds * 1000;
    const client = async () => {
      while (performance.now() < deadline) {
        const response = await fetch(`${server.base}/ui/api/timeline`, {
          headers: { "x-session-id": team.sessionId },
        });
        if (!response.ok) throw new Error(`timeline: HTTP ${response.status}`);
        await response.arrayBuffer();
        requests++;
      }
    };
    const loadStarted = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const perSecond = requests / ((performance.now() - loadStarted) / 1000);
    rows.push({
      figure: "server",
      measure: `GET /ui/api/timeline, ${CLIENTS} clients`,
      value: perSecond,
      unit: "req/s",
      target: "report",
      holds: null,
      note: `200 messages per answer; clients share the machine's cores with the server; RSS then ${rssMb(server.proc.pid).toFixed(0)} MB`,
    });
    return rows;
  } finally {
    await server.stop();
    db.close();
    workspace.dispose();
  }
}
