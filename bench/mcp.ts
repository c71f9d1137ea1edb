/**
 * The MCP server (`cafleet mcp`), driven by the SDK's Client over stdio as a client would: the
 * start to a listed tool set, the median `send` tool call over the running server (beside the
 * CLI's send, which pays a process start per message), the wake-up of a blocking `poll` after a
 * CLI send from another process, the CPU the idle server spends watching the database, and the
 * size of the tool list a client puts in its model's context.
 */
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { countTokens } from "gpt-tokenizer";
import type { Task } from "../src/broker/tasks.ts";
import { createTeam, makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { BINARY, mustRun } from "./lib/run.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

async function connect(env: Record<string, string>, sessionId: string, agentId: string) {
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["mcp", "--session-id", sessionId, "--agent-id", agentId],
    env,
    stderr: "ignore",
  });
  const client = new Client({ name: "cafleet-bench", version: "1.0.0" });
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

/** User plus system CPU time of a process so far, from /proc (Linux), in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export async function mcpFigures(): Promise<Row[]> {
  const calls = sized(200, 50);
  const wakes = sized(20, 10);
  const workspace = makeWorkspace("mcp");
  try {
    const db = openWorkspaceDb(workspace);
    const team = createTeam(db, 2);
    db.close();
    const [sender, receiver] = team.agentIds as [string, string];
    const { sessionId } = team;

    const starts: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const { client } = await connect(workspace.env, sessionId, team.directorId);
      const { tools } = await client.listTools();
      starts.push(performance.now() - started);
      if (tools.length === 0) throw new Error("no tools listed");
      await client.close();
    }
    const director = await connect(workspace.env, sessionId, team.directorId);
    const directorTokens = countTokens(JSON.stringify((await director.client.listTools()).tools));
    await director.client.close();

    const { client, pid } = await connect(workspace.env, sessionId, sender);
    const agentTokens = countTokens(JSON.stringify((await client.listTools()).tools));
    const send = () => client.callTool({ name: "send", arguments: { to: receiver, text: "hi" } });
    await send();
    const sendMs: number[] = [];
    const cliSendMs: number[] = [];
    const cli = [
      BINARY,
      "--session-id",
      sessionId,
      "send",
      "--agent-id",
      sender,
      "--to",
      receiver,
      "--text",
      "hi",
    ];
    for (let run = 0; run < calls; run++) {
      const started = performance.now();
      const result = await send();
      sendMs.push(performance.now() - started);
      if (result.isError) throw new Error(`send failed: ${JSON.stringify(result.content)}`);
      if (run % 5 === 0) cliSendMs.push(mustRun(cli, workspace.env).wallMs);
    }

    // The receiver's blocking poll, woken by a CLI send (another process) to it.
    const reader = await connect(workspace.env, sessionId, receiver);
    const wakeMs: number[] = [];
    const toReceiver = [
      BINARY,
      "--json",
      "--session-id",
      sessionId,
      "send",
      "--agent-id",
      sender,
      "--to",
      receiver,
    ];
    await reader.client.callTool({ name: "poll", arguments: { mode: "new" } });
    for (let run = 0; run < wakes; run++) {
      // Stamped as the result comes in, while the send's process may still be exiting.
      const woke = reader.client
        .callTool({ name: "poll", arguments: { mode: "new", wait_seconds: 10 } })
        .then(() => Date.now());
      await Bun.sleep(100);
      const proc = Bun.spawn([...toReceiver, "--text", "wake"], { env: workspace.env, stdout: "pipe" });
      const sent = JSON.parse(await new Response(proc.stdout).text()) as { task: Task };
      wakeMs.push((await woke) - Date.parse(sent.task.status.timestamp));
    }

    const idleSeconds = sized(5, 2);
    const idleBefore = cpuMs(pid);
    await Bun.sleep(idleSeconds * 1000);
    const idleCpuPerSecond = (cpuMs(pid) - idleBefore) / idleSeconds;
    await reader.client.close();
    await client.close();

    const figure = "MCP server";
    return [
      {
        figure,
        measure: "start → tools listed (median of 5)",
        value: median(starts),
        unit: "ms",
        target: "report",
        holds: null,
      },
      {
        figure,
        measure: `send tool call over a running server (median of ${calls})`,
        value: median(sendMs),
        unit: "ms",
        target: "report",
        holds: null,
        note: `CLI send in the same run: ${median(cliSendMs).toFixed(2)} ms (median of ${cliSendMs.length})`,
      },
      {
        figure,
        measure: `blocking poll: CLI send's commit → poll result (median of ${wakes})`,
        value: median(wakeMs),
        unit: "ms",
        target: "≤ 100 ms",
        holds: median(wakeMs) <= 100,
        note: `worst ${Math.max(...wakeMs)} ms`,
      },
      {
        figure,
        measure: "idle server's CPU (data_version watch every 25 ms)",
        value: idleCpuPerSecond,
        unit: "ms/s",
        target: "report",
        holds: null,
      },
      {
        figure,
        measure: "tool list, o200k tokens: agent / Director",
        value: agentTokens,
        unit: "tokens",
        target: "report",
        holds: null,
        note: `Director (with member_list, member_capture): ${directorTokens} tokens`,
      },
    ];
  } finally {
    workspace.dispose();
  }
}
