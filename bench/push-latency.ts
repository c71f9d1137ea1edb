/**
 * Push-notification latency, run on demand: `bun run bench/push-latency.ts` (needs dist/cafleet;
 * `bun run build` first). On a private tmux server with a fake claude member, the Director sends
 * 20 messages; for each, the member's pane is captured in a loop (capture-pane) while `send` runs
 * and after it returns. Prints the medians of: send returning → poll command seen in the pane
 * (the figure asked for; ≈ one capture-pane call when the text is already there), send start →
 * poll command seen, and the whole send duration (which includes the 150 ms pause before Enter).
 */
import { BINARY } from "../test/support/cli.ts";
import { definedOnly } from "../test/support/tmux.ts";
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

  const afterReturn: number[] = [];
  const fromStart: number[] = [];
  const durations: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const before = occurrences();
    const started = performance.now();
    const args = ["--session-id", session.sessionId, "--json", "send", "--agent-id", session.directorId];
    const proc = Bun.spawn([BINARY, ...args, "--to", member.agent_id, "--text", `message ${i}`], {
      env: definedOnly(h.env()),
      stdout: "pipe",
      stderr: "pipe",
    });
    let returned: number | undefined;
    proc.exited.then(() => {
      returned = performance.now();
    });
    let seen: number | undefined;
    while (seen === undefined) {
      if (occurrences() > before) seen = performance.now();
      else if (performance.now() - started > 5000) throw new Error(`send ${i}: poll command never appeared`);
      else await Bun.sleep(0);
    }
    await proc.exited;
    const output = JSON.parse(await new Response(proc.stdout).text());
    if (!output.notification_sent) throw new Error(`send ${i} did not notify`);
    // Seen before the process returned: the first capture after the return finds it at once.
    const firstCaptureAfterReturn = seen >= returned! ? seen : returned! + timeOneCapture();
    afterReturn.push(firstCaptureAfterReturn - returned!);
    fromStart.push(seen - started);
    durations.push(returned! - started);
    await Bun.sleep(50);
  }

  function timeOneCapture(): number {
    const start = performance.now();
    occurrences();
    return performance.now() - start;
  }

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`sends: ${SENDS}`);
  console.log(`median send returned -> poll command in pane: ${ms(median(afterReturn))}`);
  console.log(`median send started  -> poll command in pane: ${ms(median(fromStart))}`);
  console.log(`median send duration (incl. the 150 ms pause before Enter): ${ms(median(durations))}`);
} finally {
  h.dispose();
}
