import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Notification } from "@modelcontextprotocol/sdk/types.js";
import { openDatabase } from "../../src/broker/db.ts";
import { BINARY, type Env, isolatedEnv, makeTempDir, runCafleet } from "../support/cli.ts";
import { seedSession } from "../support/db.ts";
import { definedOnly } from "../support/tmux.ts";

/**
 * `cafleet mcp` driven by the SDK's own Client over stdio: the compiled binary as a subprocess,
 * every notification it sends kept in arrival order.
 */
export class McpSession {
  readonly notifications: { at: number; notification: Notification }[] = [];

  private constructor(
    readonly client: Client,
    readonly stderr: () => string,
  ) {}

  static async start(env: Env, args: string[]): Promise<McpSession> {
    const transport = new StdioClientTransport({
      command: BINARY,
      args: ["mcp", ...args],
      env: definedOnly(env),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "cafleet-test", version: "1.0.0" });
    const session = new McpSession(client, () => stderr);
    client.fallbackNotificationHandler = async (notification) => {
      session.notifications.push({ at: Date.now(), notification });
    };
    await client.connect(transport);
    return session;
  }

  /** Calls a tool; `json` is the parsed text of a successful result. */
  async call(name: string, args: Record<string, unknown> = {}, options: { signal?: AbortSignal } = {}) {
    const result = await this.client.callTool({ name, arguments: args }, undefined, {
      signal: options.signal,
      timeout: 120_000,
    });
    const content = result.content as { type: string; text: string }[];
    const text = content.map((part) => part.text).join("");
    return { text, isError: result.isError === true, json: result.isError ? undefined : JSON.parse(text) };
  }

  /** The notifications of `method` received so far. */
  received(method: string): Notification[] {
    return this.notifications
      .filter((entry) => entry.notification.method === method)
      .map((entry) => entry.notification);
  }

  async waitForNotification(method: string, count = 1, timeoutMs = 3000): Promise<Notification[]> {
    const deadline = performance.now() + timeoutMs;
    while (this.received(method).length < count && performance.now() < deadline) await Bun.sleep(10);
    return this.received(method);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** A temp HOME and database with one session (seeded as `session create` makes it). */
export function mcpWorld(label: string) {
  const { dir, cleanup } = makeTempDir(`cafleet-mcp-${label}-`);
  const env = isolatedEnv(dir, { CAFLEET_TEST_NUDGE_BACKOFF_MS: "none" });
  const { db } = openDatabase(env);
  const seeded = seedSession(db);
  const other = seedSession(db, "other");
  db.close();
  const cli = (args: string[]) => runCafleet(args, env);
  /** `cafleet --json <args>`, parsed; throws on failure. */
  const json = <T>(args: string[]): T => {
    const result = cli(["--json", ...args]);
    if (result.exitCode !== 0) throw new Error(`cafleet ${args.join(" ")} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const register = (sessionId: string, name: string) =>
    json<{ agent_id: string }>([
      "--session-id",
      sessionId,
      "register",
      "--name",
      name,
      "--description",
      `${name} agent`,
    ]).agent_id;
  return { dir, env, cleanup, session: seeded, other, cli, json, register };
}
