import { createResource, For, Match, Show, Switch } from "solid-js";
import { fetchSessions, setSession } from "./api.ts";
import { goToSession } from "./router.ts";

export function SessionPicker() {
  setSession(null);
  const [sessions] = createResource(fetchSessions);
  return (
    <div class="min-h-screen">
      <header class="px-6 py-3 bg-white dark:bg-gray-800 border-b border-gray-200 dark:border-gray-700">
        <h1 class="text-lg font-semibold">CAFleet — Sessions</h1>
      </header>
      <main class="max-w-3xl mx-auto p-6">
        <section class="card rounded-lg shadow-sm">
          <h2 class="px-5 py-3 font-semibold border-b border-gray-200 dark:border-gray-700">
            Select a Session
          </h2>
          <Switch>
            <Match when={sessions.loading}>
              <p class="px-5 py-4 text-gray-600 dark:text-gray-300">Loading...</p>
            </Match>
            <Match when={sessions.error}>
              <p class="m-4 px-4 py-2 rounded bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200">
                {String((sessions.error as Error).message ?? sessions.error)}
              </p>
            </Match>
            <Match when={sessions()?.length === 0}>
              <div class="px-5 py-4 text-gray-600 dark:text-gray-300">
                <p>No sessions found.</p>
                <p>
                  Run <code class="font-mono">cafleet session create</code> to create one.
                </p>
              </div>
            </Match>
            <Match when={sessions()}>
              <ul>
                <For each={sessions()}>
                  {(session) => (
                    <li>
                      <button
                        type="button"
                        data-session-id={session.session_id}
                        class="session-row w-full flex items-center gap-3 px-5 py-3 text-left border-t border-gray-100 dark:border-gray-700 hover:bg-gray-50 dark:hover:bg-gray-700/50"
                        onClick={() => {
                          setSession(session.session_id);
                          goToSession(session.session_id);
                        }}
                      >
                        <span class="font-mono text-sm">{session.session_id.slice(0, 8)}</span>
                        <Show when={session.label}>
                          <span class="font-medium">{session.label}</span>
                        </Show>
                        <span class="ml-auto text-sm text-gray-600 dark:text-gray-300">
                          {session.agent_count} {session.agent_count === 1 ? "agent" : "agents"} | Created{" "}
                          {new Date(session.created_at).toLocaleDateString()}
                        </span>
                        <span aria-hidden="true">→</span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Match>
          </Switch>
        </section>
      </main>
    </div>
  );
}
