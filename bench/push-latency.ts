/**
 * Push latency: on a private tmux server with a fake claude member, the Director sends SENDS
 * messages; for each, the member's pane is captured in a loop while `send` runs and after it
 * returns. The figure is send returning → poll command seen in the pane (≈ one capture-pane call
 * when the text is already there); send start → seen and the whole send go in the note.
 */

import { pushPollLine } from "../src/broker/push-line.ts";
import { BINARY } from "../test/support/cli.ts";
import { definedOnly } from "../test/support/tmux.ts";
import { MemberHarness } from "../test/tmux/harness.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const TARGET_MS = 50;

export async function pushLatency(): Promise<Row[]> {
  const sends = sized(20, 10);
  const h = new MemberHarness("bench-push");
  try {
    const session = h.createSession();
    const member = h.createMember(session, "Bench");
    const pane = member.placement.tmux_pane_id;
    await h.waitForReady(pane);
    const command = pushPollLine(session.sessionId, member.agent_id);
    const occurrences = () =>
      h.tmux.tmux(["capture-pane", "-p", "-J", "-t", pane, "-S", "-5000"]).split(command).length - 1;
    const timeOneCapture = () => {
      const start = performance.now();
      occurrences();
      return performance.now() - start;
    };

    const afterReturn: number[] = [];
    const fromStart: number[] = [];
    const durations: number[] = [];
    for (let i = 0; i < sends; i++) {
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
        else if (performance.now() - started > 5000)
          throw new Error(`send ${i}: poll command never appeared`);
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
    const value = median(afterReturn);
    return [
      {
        figure: "push latency",
        measure: `send returned → poll in pane (median of ${sends})`,
        value,
        unit: "ms",
        target: `≤ ${TARGET_MS} ms`,
        holds: value <= TARGET_MS,
        note: `send start → poll in pane ${median(fromStart).toFixed(1)} ms; whole send ${median(durations).toFixed(1)} ms (includes the pause before Enter, owned by the delivery work)`,
      },
    ];
  } finally {
    h.dispose();
  }
}
