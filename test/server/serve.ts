import type { Subprocess } from "bun";
import { BINARY, type Env } from "../support/cli.ts";

export type RunningServer = {
  proc: Subprocess<"ignore", "ignore", "pipe">;
  port: number;
  base: string;
  /** Everything the server printed on stderr so far. */
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
};

const LISTENING = /listening on http:\/\/[^\s:]+:(\d+)\/ui\//;

/** Starts `cafleet server --port 0` (the OS picks a free port) and waits for its listening line. */
export async function startServer(env: Env, args: string[] = [], binary = BINARY): Promise<RunningServer> {
  const proc = Bun.spawn([binary, "server", "--port", "0", ...args], {
    env: env as Record<string, string>,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let printed = "";
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 10_000;
  while (!LISTENING.test(printed) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
    if (!chunk || chunk.done) break;
    printed += decoder.decode(chunk.value, { stream: true });
  }
  const match = LISTENING.exec(printed);
  if (!match) {
    proc.kill();
    throw new Error(`cafleet server did not start: ${printed}`);
  }
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => null);
      if (!chunk || chunk.done) return;
      printed += decoder.decode(chunk.value, { stream: true });
    }
  })();
  const port = Number(match[1]);
  return {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    stderr: () => printed,
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      return proc.exited;
    },
  };
}
