import { createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import { failureText, type SearchHit, searchMessages } from "./api.ts";
import { byKey } from "./order.ts";
import { markSegments } from "./search.ts";
import { clockTime, exactTime } from "./timeline.ts";

/** Typing pauses this long before the page asks the server. */
const DEBOUNCE_MS = 200;
const byCreatedAt = byKey((hit: SearchHit) => hit.created_at);

/** Results of the header's search, newest first, each opening its message in the timeline. */
export function SearchResults(props: {
  query: string;
  agentId: string | undefined;
  onPick: (hit: SearchHit) => void;
  onClose: () => void;
}) {
  const [hits, setHits] = createSignal<SearchHit[] | null>(null);
  const [error, setError] = createSignal("");
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  onCleanup(() => clearTimeout(timer));
  createEffect(
    on([() => props.query.trim(), () => props.agentId], ([query, agentId]) => {
      clearTimeout(timer);
      const ticket = ++asked;
      timer = setTimeout(async () => {
        try {
          const found = await searchMessages(query, agentId);
          // An older, slower answer never replaces a newer one.
          if (ticket !== asked) return;
          // Newest first: the comparison with its arguments swapped (equal times keep the server order).
          setHits([...found].sort((a, b) => byCreatedAt(b, a)));
          setError("");
        } catch (failure) {
          if (ticket !== asked) return;
          setHits([]);
          setError(failureText(failure, "Search failed"));
        }
      }, DEBOUNCE_MS);
    }),
  );
  return (
    <section class="search-results flex-1 min-h-0 overflow-y-auto py-2" aria-label="Search results">
      <div class="flex items-center gap-2 px-5 pb-2">
        <h2 class="text-sm font-semibold">
          <Show when={hits()} fallback="Searching...">
            {(found) =>
              `${found().length} ${found().length === 1 ? "result" : "results"} for “${props.query.trim()}”`
            }
          </Show>
        </h2>
        <button type="button" class="btn ml-auto" onClick={props.onClose}>
          Close search
        </button>
      </div>
      <Show when={error()}>
        <p
          role="alert"
          class="mx-5 px-3 py-1 rounded text-sm bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200"
        >
          {error()}
        </p>
      </Show>
      <ul>
        <For each={hits() ?? []}>
          {(hit) => (
            <li>
              <button
                type="button"
                class="search-hit w-full text-left px-5 py-2 hover:bg-gray-50 dark:hover:bg-gray-800/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-400"
                data-task-id={hit.task_id}
                onClick={() => props.onPick(hit)}
              >
                <span class="flex flex-wrap items-baseline gap-x-2 text-sm">
                  <time
                    datetime={hit.created_at}
                    title={exactTime(hit.created_at)}
                    class="text-xs font-mono text-gray-600 dark:text-gray-300"
                  >
                    {new Date(hit.created_at).toLocaleDateString("en-CA")} {clockTime(hit.created_at)}
                  </time>
                  <span class="font-semibold">{hit.from_agent_name}</span>
                  <span aria-hidden="true">→</span>
                  <span>@{hit.to_agent_name}</span>
                </span>
                <span class="search-snippet block text-sm whitespace-pre-wrap break-words [overflow-wrap:anywhere]">
                  <For each={markSegments(hit.snippet, hit.matches)}>
                    {(segment) =>
                      segment.marked ? (
                        <mark class="bg-yellow-200 text-gray-900 dark:bg-yellow-600/70 dark:text-white rounded-sm">
                          {segment.text}
                        </mark>
                      ) : (
                        segment.text
                      )
                    }
                  </For>
                </span>
              </button>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
