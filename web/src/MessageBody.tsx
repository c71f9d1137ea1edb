import { createMemo, Show } from "solid-js";
import { bodyHtml } from "./sanitize.ts";

/** A message body: plain text as typed, or sanitized Markdown. */
export function MessageBody(props: { body: string; canceled: boolean }) {
  const html = createMemo(() => bodyHtml(props.body));
  return (
    <Show
      when={html()}
      fallback={
        <p
          class="body mt-0.5 whitespace-pre-wrap break-words [overflow-wrap:anywhere]"
          classList={{ "line-through opacity-50": props.canceled }}
        >
          {props.body}
        </p>
      }
    >
      {(markup) => (
        <div
          class="body markdown mt-0.5 break-words [overflow-wrap:anywhere] min-w-0"
          classList={{ "line-through opacity-50": props.canceled }}
          innerHTML={markup()}
        />
      )}
    </Show>
  );
}

/** Click handler for the timeline: the copy button of a code block copies that block's code. */
export async function copyCodeBlock(event: MouseEvent): Promise<void> {
  const button = (event.target as Element | null)?.closest?.("button.copy-code");
  const code = button?.parentElement?.querySelector("code");
  if (!button || !code) return;
  try {
    await navigator.clipboard.writeText(code.textContent ?? "");
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1500);
}
