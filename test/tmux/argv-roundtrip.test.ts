import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { escapeTmuxArgument, TMUX_COMMAND_LIMIT_BYTES, tmuxArgv } from "../../src/tmux/argv.ts";
import { PrivateTmux } from "../support/tmux.ts";

/**
 * Every argument cafleet hands tmux must arrive byte for byte, whatever tmux's own command
 * syntax would make of it (a trailing `;` ends a command, `\;` becomes `;`). Proven against a
 * real server: set-buffer stores its data argument, show-buffer prints it back unchanged.
 */

let tmux: PrivateTmux;
let socket: string;

beforeAll(() => {
  tmux = new PrivateTmux("argv");
  tmux.start();
  socket = tmux.tmux(["display-message", "-p", "#{socket_path}"]).trim();
});
afterAll(() => tmux.kill());

function roundTrip(text: string): string {
  const argv = tmuxArgv([["set-buffer", "-b", "probe", "--", text]], socket);
  const stored = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, TMUX: "" } });
  if (stored.exitCode !== 0) throw new Error(stored.stderr.toString());
  return tmux.tmux(["show-buffer", "-b", "probe"]);
}

/** A seeded generator: the same strings every run, printed seed on failure. */
function generated(seed: number, count: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const alphabet = [
    "a",
    "Z",
    "0",
    ";",
    "\\",
    " ",
    "-",
    "$",
    "'",
    '"',
    "{",
    "}",
    "#",
    "é",
    "日",
    "🙂",
    "\t",
    "~",
  ];
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]).join(""),
  );
}

describe("tmux argv", () => {
  it("escapes only a trailing semicolon", () => {
    expect(escapeTmuxArgument("Rev;")).toBe("Rev\\;");
    expect(escapeTmuxArgument("a\\;")).toBe("a\\\\;");
    expect(escapeTmuxArgument(";")).toBe("\\;");
    expect(escapeTmuxArgument("a;b")).toBe("a;b");
    expect(escapeTmuxArgument("plain")).toBe("plain");
  });

  it.each([
    "Rev;",
    ";",
    ";;",
    "x\\;",
    "\\;",
    "kill-server",
    "a ; kill-server",
    "new-window;",
    "#{pane_id}",
    "$(touch /tmp/x)",
    "--",
    "-t",
    "{",
    "}",
    "日本語;",
  ])("round-trips %p through a real tmux server", (text) => {
    expect(roundTrip(text)).toBe(text);
  });

  it("round-trips 300 generated strings heavy in ; and \\", () => {
    const seed = 20261201;
    for (const text of generated(seed, 300)) expect({ seed, text: roundTrip(text) }).toEqual({ seed, text });
  });

  it("refuses a command over tmux's message limit before running it", () => {
    expect(() => tmuxArgv([["set-buffer", "--", "x".repeat(TMUX_COMMAND_LIMIT_BYTES)]], socket)).toThrow(
      /too long for tmux/,
    );
    const largest = "y".repeat(TMUX_COMMAND_LIMIT_BYTES - 40);
    expect(roundTrip(largest)).toBe(largest);
  });
});
