/**
 * Poll bytes (issue 18): what lands in an agent's context when a push wakes it. For each history
 * size, one recipient per poll line gets the same history of handled messages (sent, fetched,
 * acked) and then one new message; dist/cafleet runs the line the push types, the reference's
 * `poll --agent-id <id>` and ours with `--new`, and the bytes it prints are counted. Then a
 * session of SESSION_MESSAGES messages, each one a wake-up, a poll and an ack: the total bytes the
 * agent's polls printed, with either line. Sends and acks run in-process (they print the same
 * either way); every poll is the real binary.
 */

import { recordFetched } from "../src/broker/delivery.ts";
import { pushPollLine } from "../src/broker/push-line.ts";
import { ackTask, sendUnicast } from "../src/broker/tasks.ts";
import type { Database } from "../src/store/database.ts";
import { createTeam, makeWorkspace, openWorkspaceDb, type Workspace } from "./lib/fixture.ts";
import { BINARY, mustRun } from "./lib/run.ts";
import { sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const HISTORY_SIZES = [10, 100, 1000];
const OVERHEAD_TARGET = 1024;

const historyText = (n: number) => `task ${n}: review src/module-${n}.ts and report the three biggest risks.`;
const NEW_TEXT =
  "Please take the next step: run the whole test suite, fix the two flaky tests in test/cli/poll.test.ts, " +
  "commit each fix on its own with a message that says why it was flaky, and report the commit ids to me.";

type Line = { name: string; argv: (sessionId: string, agentId: string) => string[] };

const LINES: Line[] = [
  // The reference's push line (tmux.md §5), kept here as the "before" of the comparison.
  { name: "old", argv: (s, a) => `cafleet --session-id ${s} poll --agent-id ${a}`.split(" ") },
  { name: "new", argv: (s, a) => pushPollLine(s, a).split(" ") },
];

function runLine(workspace: Workspace, line: Line, sessionId: string, agentId: string) {
  const [, ...args] = line.argv(sessionId, agentId);
  const result = mustRun([BINARY, ...args], workspace.env);
  return { bytes: Buffer.byteLength(result.stdout), wallMs: result.wallMs };
}

/** One handled message: sent, returned by a poll, acked. */
function handle(db: Database, sessionId: string, from: string, to: string, text: string): void {
  const { id } = sendUnicast(db, { sessionId, fromAgentId: from, toAgentId: to, text });
  recordFetched(db, [id]);
  ackTask(db, { sessionId, agentId: to, taskId: id });
}

function afterHistory(): Row[] {
  const workspace = makeWorkspace("poll-bytes");
  try {
    const db = openWorkspaceDb(workspace);
    const rows: Row[] = [];
    for (const size of HISTORY_SIZES) {
      const team = createTeam(db, 1 + LINES.length);
      const [sender, ...recipients] = team.agentIds as [string, ...string[]];
      const printed = LINES.map((line, index) => {
        const recipient = recipients[index]!;
        for (let n = 0; n < size; n++) handle(db, team.sessionId, sender, recipient, historyText(n));
        sendUnicast(db, {
          sessionId: team.sessionId,
          fromAgentId: sender,
          toAgentId: recipient,
          text: NEW_TEXT,
        });
        return runLine(workspace, line, team.sessionId, recipient);
      });
      const [{ bytes: old, wallMs: oldMs }, { bytes: fresh, wallMs: freshMs }] = printed as [
        { bytes: number; wallMs: number },
        { bytes: number; wallMs: number },
      ];
      const overhead = fresh - Buffer.byteLength(NEW_TEXT);
      rows.push({
        figure: "poll bytes",
        measure: `push poll after ${size.toLocaleString("en")} handled + 1 new, beyond the new text`,
        value: overhead,
        unit: "B",
        target: `≤ ${OVERHEAD_TARGET} B`,
        holds: overhead <= OVERHEAD_TARGET,
        note: `old line prints ${old.toLocaleString("en")} B, new line ${fresh} B (the new text is ${Buffer.byteLength(NEW_TEXT)} B); one run each: old ${oldMs.toFixed(1)} ms, new ${freshMs.toFixed(1)} ms`,
      });
    }
    db.close();
    return rows;
  } finally {
    workspace.dispose();
  }
}

function session(messages: number): Row {
  const workspace = makeWorkspace("poll-session");
  try {
    const db = openWorkspaceDb(workspace);
    const team = createTeam(db, 1 + LINES.length);
    const [sender, ...recipients] = team.agentIds as [string, ...string[]];
    const totals = LINES.map(() => 0);
    let texts = 0;
    for (let n = 0; n < messages; n++) {
      const text = historyText(n);
      texts += Buffer.byteLength(text);
      LINES.forEach((line, index) => {
        const recipient = recipients[index]!;
        const { id } = sendUnicast(db, {
          sessionId: team.sessionId,
          fromAgentId: sender,
          toAgentId: recipient,
          text,
        });
        totals[index]! += runLine(workspace, line, team.sessionId, recipient).bytes;
        ackTask(db, { sessionId: team.sessionId, agentId: recipient, taskId: id });
      });
    }
    db.close();
    const [old, fresh] = totals as [number, number];
    return {
      figure: "poll bytes",
      measure: `all push polls of a ${messages}-message session`,
      value: fresh,
      unit: "B",
      target: `≤ texts + ${OVERHEAD_TARGET} B per wake-up`,
      holds: fresh <= texts + messages * OVERHEAD_TARGET,
      note: `old line ${old.toLocaleString("en")} B → new line ${fresh.toLocaleString("en")} B (${(old / fresh).toFixed(0)}× less; the texts themselves are ${texts.toLocaleString("en")} B)`,
    };
  } finally {
    workspace.dispose();
  }
}

export async function pollBytes(): Promise<Row[]> {
  return [...afterHistory(), session(sized(200, 50))];
}
