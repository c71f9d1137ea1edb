/** Reads an event stream until `done` says enough or the time runs out; returns the text read. */
export async function readStream(
  response: Response,
  done: (text: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!done(text) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      Bun.sleep(Math.max(1, deadline - Date.now())).then(() => null),
    ]);
    if (!chunk || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel();
  return text;
}

/** The parsed data of each `event: <name>` block of a stream's text, in order. */
export function eventsOf<T>(text: string, name: string): T[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith(`event: ${name}\n`))
    .map((block) => JSON.parse(block.slice(block.indexOf("data: ") + 6)) as T);
}
