/**
 * The one place a tmux argv is built. tmux reads its own syntax even in an argv array: the
 * server splits the command list at any argument that *ends* in `;` (`Rev;` then `kill-server`
 * runs kill-server), and turns a trailing `\;` into `;`. Every argument we pass is data, so a
 * trailing `;` gets a backslash before it, which tmux removes again: the text arrives byte for byte.
 */

export class TmuxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TmuxError";
  }
}

/** A tmux socket path (`#{socket_path}`), or null for the server the caller would reach anyway. */
export type TmuxServer = string | null;

export function escapeTmuxArgument(argument: string): string {
  return argument.endsWith(";") ? `${argument.slice(0, -1)}\\;` : argument;
}

/**
 * tmux sends a command's arguments to its server in one message of at most 16 KiB (imsg), each
 * with a NUL: past about 16,360 bytes the client says `command too long`. Stay well below it.
 */
export const TMUX_COMMAND_LIMIT_BYTES = 16_000;
const encoder = new TextEncoder();

export function packedSize(commands: string[][]): number {
  let size = 0;
  for (const command of commands)
    for (const argument of command) size += encoder.encode(escapeTmuxArgument(argument)).length + 1;
  return size + (commands.length - 1) * 2;
}

/** How many bytes of text one `send-keys -t <pane> -l -- <text>` can carry. */
export function literalTextBudget(pane: string): number {
  return TMUX_COMMAND_LIMIT_BYTES - packedSize([["send-keys", "-t", pane, "-l", "--", ""]]);
}

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The socket of the server the calling process is attached to: `$TMUX` is `<socket>,<pid>,<index>`. */
export function attachedServer(env: Record<string, string | undefined> = process.env): TmuxServer {
  const value = env.TMUX;
  if (!value) return null;
  const parts = value.split(",");
  return parts.length >= 3 ? parts.slice(0, -2).join(",") : value;
}

/**
 * `tmux [-S socket] cmd1 ; cmd2 …`. A server is named only when it is not the one the caller is
 * attached to, so calls from inside the pane's own server keep the argv of tmux.md §5-§8.
 */
export function tmuxArgv(commands: string[][], server: TmuxServer = null): string[] {
  const size = packedSize(commands);
  if (size > TMUX_COMMAND_LIMIT_BYTES)
    throw new TmuxError(
      `the text is too long for tmux (${size} bytes in one command, at most ${TMUX_COMMAND_LIMIT_BYTES})`,
    );
  const select = server !== null && server !== attachedServer() ? ["-S", server] : [];
  const body: string[] = [];
  commands.forEach((command, index) => {
    if (index > 0) body.push(";");
    body.push(...command.map(escapeTmuxArgument));
  });
  return ["tmux", ...select, ...body];
}
