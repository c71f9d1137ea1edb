/** How this program runs itself: the compiled binary alone, or bun with the entry script. */
function selfArgv(): string[] {
  return Bun.main.endsWith(".ts") ? [process.execPath, Bun.main] : [process.execPath];
}

/**
 * Starts one of the binary's own background processes (the nudger, the relay) in its own
 * process group with no stdio, so it outlives the CLI and never writes to the caller's terminal.
 */
export function startDetached(args: string[]): void {
  try {
    const child = Bun.spawn([...selfArgv(), ...args], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    });
    child.unref();
  } catch {}
}
