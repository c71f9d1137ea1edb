/** stdout/stderr writers. Bun.write drains large outputs fully before the process exits. */

export async function writeStdout(text: string): Promise<void> {
  await Bun.write(Bun.stdout, text);
}

export async function writeStderr(text: string): Promise<void> {
  await Bun.write(Bun.stderr, text);
}

/** `--json` layout of cli.md §5.2: 2-space indent, UTF-8 as is, trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function printJson(value: unknown): Promise<void> {
  return writeStdout(renderJson(value));
}

export function printLine(text: string): Promise<void> {
  return writeStdout(`${text}\n`);
}
