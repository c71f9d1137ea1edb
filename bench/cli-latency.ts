/**
 * CLI latency: median wall time of dist/cafleet's poll, send, ack, register and agents against
 * the floor (bench/lib/floor.ts, compiled with the same flags), which opens the same database with
 * the same pragmas and runs poll's indexed SELECT. Cases run round-robin so a burst of load from
 * other processes hits every case alike; CPU time goes in the note because it barely moves with
 * that load.
 */
import { registerAgent } from "../src/broker/agents.ts";
import { sendUnicast } from "../src/broker/tasks.ts";
import { createTeam, makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { BINARY, FLOOR_BINARY, mustRun } from "./lib/run.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const TARGET = 1.5;
const INBOX_SIZE = 1000;

type Case = { name: string; argv: () => string[] };

export async function cliLatency(): Promise<Row[]> {
  const runs = sized(30, 20);
  const workspace = makeWorkspace("cli");
  try {
    const db = openWorkspaceDb(workspace);
    const team = createTeam(db, 3);
    const [sender, reader, sink] = team.agentIds as [string, string, string];
    const { sessionId } = team;
    for (let index = 0; index < INBOX_SIZE; index++)
      sendUnicast(db, { sessionId, fromAgentId: sender, toAgentId: reader, text: `message ${index}` });
    // One unread delivery per ack run (and the warm-up run).
    const toAck: string[] = [];
    for (let index = 0; index <= runs; index++)
      toAck.push(sendUnicast(db, { sessionId, fromAgentId: sender, toAgentId: sink, text: "ack me" }).id);
    registerAgent(db, { sessionId, name: "spare", description: "d", skills: [] });
    db.close();

    const cli = (...args: string[]) => [BINARY, "--session-id", sessionId, ...args];
    const cases: Case[] = [
      { name: "floor", argv: () => [FLOOR_BINARY, workspace.dbPath, reader] },
      // The floor that also prints the rows it read: what handing 1,000 messages to a caller costs at least.
      { name: "floor --print", argv: () => [FLOOR_BINARY, workspace.dbPath, reader, "--print"] },
      { name: "poll", argv: () => cli("poll", "--agent-id", reader) },
      { name: "send", argv: () => cli("send", "--agent-id", sender, "--to", sink, "--text", "hi") },
      { name: "ack", argv: () => cli("ack", "--agent-id", sink, "--task-id", toAck.shift()!) },
      { name: "register", argv: () => cli("register", "--name", "n", "--description", "d") },
      { name: "agents", argv: () => cli("agents", "--agent-id", sender) },
    ];
    const wall = cases.map(() => [] as number[]);
    const cpu = cases.map(() => [] as number[]);
    for (const testCase of cases) mustRun(testCase.argv(), workspace.env); // warm the page cache
    for (let run = 0; run < runs; run++)
      cases.forEach((testCase, index) => {
        const result = mustRun(testCase.argv(), workspace.env);
        wall[index]!.push(result.wallMs);
        cpu[index]!.push(result.cpuMs);
      });
    const floorWall = median(wall[0]!);
    const floorCpu = median(cpu[0]!);
    const printingFloorWall = median(wall[1]!);
    const FIRST_COMMAND = 2;
    return cases.slice(FIRST_COMMAND).map((testCase, offset) => {
      const value = median(wall[offset + FIRST_COMMAND]!);
      const cpuMs = median(cpu[offset + FIRST_COMMAND]!);
      const printing =
        testCase.name === "poll"
          ? `; vs the floor that also prints the rows (${printingFloorWall.toFixed(2)} ms): ${(value / printingFloorWall).toFixed(2)}×`
          : "";
      return {
        figure: "CLI latency",
        measure: `${testCase.name}${testCase.name === "poll" ? `, inbox of ${INBOX_SIZE}` : ""} (median of ${runs})`,
        value,
        unit: "ms",
        floor: floorWall,
        target: `≤ ${TARGET}× floor`,
        holds: value / floorWall <= TARGET,
        note: `cpu ${cpuMs.toFixed(2)} ms vs floor ${floorCpu.toFixed(2)} ms (${(cpuMs / floorCpu).toFixed(2)}×)${printing}`,
      };
    });
  } finally {
    workspace.dispose();
  }
}
