/**
 * Fan-out and the background nudging's memory, on a private tmux server with fake claude
 * members. BENCH_BINARY names another build of cafleet to measure the same way (an older
 * commit's dist/cafleet, for a before → after).
 *  - broadcast to MEMBERS idle panes: the whole `broadcast` (every pane typed, paused, Entered).
 *  - MEMBERS members busy, one message each: the background nudger processes left running and
 *    their summed resident memory (VmRSS).
 */

import { readdirSync, readFileSync } from "node:fs";
import { BINARY } from "../test/support/cli.ts";
import { definedOnly, waitFor } from "../test/support/tmux.ts";
import { MemberHarness } from "../test/tmux/harness.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const MEMBERS = 10;
const binary = process.env.BENCH_BINARY ?? BINARY;

function run(h: MemberHarness, args: string[]): string {
  const result = Bun.spawnSync([binary, ...args], {
    env: definedOnly(h.env()),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`${args.join(" ")}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

/** Nudgers of cafleet builds started here: a per-recipient one names the session too. */
function nudgers(sessionId: string): { count: number; rssKb: number } {
  let count = 0;
  let rssKb = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (!argv.includes("__nudge") || !argv.includes(sessionId)) continue;
      count += 1;
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
  }
  return { count, rssKb };
}

export async function fanOut(): Promise<Row[]> {
  const rounds = sized(7, 3);
  const h = new MemberHarness("bench-fanout");
  let sessionId = "";
  try {
    const session = JSON.parse(run(h, ["--json", "session", "create"]));
    sessionId = session.session_id as string;
    const director = session.director.agent_id as string;
    const panes: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const created = JSON.parse(
        run(h, [
          "--session-id",
          sessionId,
          "--json",
          "member",
          "create",
          "--agent-id",
          director,
          "--name",
          `M${i}`,
          "--description",
          "d",
        ]),
      );
      panes.push(created.placement.tmux_pane_id);
      ids.push(created.agent_id);
    }
    for (const pane of panes) await h.waitForReady(pane);

    const durations: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const out = JSON.parse(
        run(h, [
          "--session-id",
          sessionId,
          "--json",
          "broadcast",
          "--agent-id",
          director,
          "--text",
          `all ${round}`,
        ]),
      );
      durations.push(performance.now() - started);
      if (out[0].notifications_sent_count !== MEMBERS)
        throw new Error(`round ${round}: ${out[0].notifications_sent_count} notified`);
      for (const id of ids) run(h, ["--session-id", sessionId, "poll", "--agent-id", id]);
      await Bun.sleep(100);
    }

    for (const pane of panes) {
      h.tmux.tmux(["send-keys", "-t", pane, "-l", "/busy"]);
      h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
    }
    for (const pane of panes) await waitFor(() => h.tmux.capture(pane).includes("esc to interrupt"), 3000);
    for (const id of ids)
      run(h, ["--session-id", sessionId, "send", "--agent-id", director, "--to", id, "--text", "held"]);
    await Bun.sleep(1500);
    const held = nudgers(sessionId);
    return [
      {
        figure: "fan-out",
        measure: `broadcast to ${MEMBERS} idle panes (median of ${rounds})`,
        value: median(durations),
        unit: "ms",
        target: "report",
        holds: null,
      },
      {
        figure: "fan-out",
        measure: `nudger memory, ${MEMBERS} members held`,
        value: held.rssKb / 1024,
        unit: "MB",
        target: "report",
        holds: null,
        note: `${held.count} nudger process(es)`,
      },
    ];
  } finally {
    h.dispose();
    await waitFor(() => nudgers(sessionId).count === 0, 3000);
  }
}
