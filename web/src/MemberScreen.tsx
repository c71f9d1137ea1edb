import { createSignal, onCleanup, Show } from "solid-js";
import { type AgentScreen, failureText, fetchScreen } from "./api.ts";
import { STATE_LABELS } from "./fleet.ts";

/** About once a second, counted from the end of the previous capture so slow ones never pile up. */
const REFRESH_MS = 1000;

/**
 * A read-only picture of a member's pane: text in a <pre>, refreshed while this view is open.
 * Nothing here sends keys; watching a member never types into it.
 */
export function MemberScreen(props: { agentId: string; name: string }) {
  const [screen, setScreen] = createSignal<AgentScreen | null>(null);
  const [error, setError] = createSignal("");
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const capture = async () => {
    try {
      setScreen(await fetchScreen(props.agentId));
      setError("");
    } catch (failure) {
      setError(failureText(failure, "Screen unavailable"));
    }
    if (!stopped) timer = setTimeout(capture, REFRESH_MS);
  };
  void capture();
  onCleanup(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return (
    <section
      class="member-screen-panel flex-1 flex flex-col min-h-0 min-w-0 border-gray-200 dark:border-gray-700 bg-gray-950 text-gray-100"
      aria-label={`Screen of ${props.name}`}
    >
      <header class="flex flex-wrap items-baseline gap-x-2 px-3 py-1.5 text-xs bg-gray-800 text-gray-100">
        <span class="font-semibold">Screen of {props.name}</span>
        <span class="text-gray-300">(read-only)</span>
        <Show when={screen()}>
          {(current) => (
            <>
              <span class="member-screen-state" data-state={current().state}>
                {STATE_LABELS[current().state]}
              </span>
              <span class="ml-auto text-gray-300">
                captured {new Date(current().captured_at).toLocaleTimeString("en-GB")}
              </span>
            </>
          )}
        </Show>
      </header>
      <Show when={error()}>
        <p role="alert" class="px-3 py-1 text-xs bg-red-900 text-red-100">
          {error()}
        </p>
      </Show>
      <pre
        class="member-screen flex-1 m-0 p-3 overflow-auto text-xs leading-tight font-mono whitespace-pre"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling screen must scroll from the keyboard too
        tabIndex={0}
      >
        {screen()?.content ?? (screen() ? "No pane to show" : "Capturing...")}
      </pre>
    </section>
  );
}
