/**
 * Push-notification latency, run on demand: `bun run bench/push-latency.ts` (needs dist/cafleet;
 * `bun run build` first). On a private tmux server with a fake claude member, it sends 20
 * messages from the Director and measures, per send, the time from the `send` process returning
 * to the member's poll command being visible in its pane (capture-pane). Prints the medians.
 */
import { MemberHarness } from "../test/tmux/harness.ts";

const SENDS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const h = new MemberHarness("bench-push");
try {
  const session = h.createSession();
  const member = h.createMember(session, "Bench");
  const pane = member.placement.tmux_pane_id;
  await h.waitForReady(pane);
  const command = `cafleet --session-id ${session.sessionId} poll --agent-id ${member.agent_id}`;
  const occurrences = () =>
    h.tmux.tmux(["capture-pane", "-p", "-J", "-t", pane, "-S", "-5000"]).split(command).length - 1;

  const sendDurations: number[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const before = occurrences();
    const started = performance.now();
    const result = h.run([
      "--session-id",
      session.sessionId,
      "--json",
      "send",
      "--agent-id",
      session.directorId,
      "--to",
      member.agent_id,
      "--text",
      `message ${i}`,
    ]);
    const returned = performance.now();
    if (result.exitCode !== 0 || !JSON.parse(result.stdout).notification_sent)
      throw new Error(`send ${i} did not notify: ${result.stderr}`);
    while (occurrences() <= before) {
      if (performance.now() - returned > 5000) throw new Error(`send ${i}: poll command never appeared`);
    }
    latencies.push(performance.now() - returned);
    sendDurations.push(returned - started);
    await Bun.sleep(50);
  }
  console.log(`sends: ${SENDS}`);
  console.log(
    `median send duration (process start to exit, incl. the 150 ms Enter pause): ${median(sendDurations).toFixed(1)} ms`,
  );
  console.log(
    `median push latency (send returned -> poll command in pane): ${median(latencies).toFixed(1)} ms`,
  );
  console.log(`max push latency: ${Math.max(...latencies).toFixed(1)} ms`);
} finally {
  h.dispose();
}
