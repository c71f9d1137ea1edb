import { createMemo, createSignal, onCleanup, onMount, Show } from "solid-js";
import { type Agent, fetchAgents, fetchSessions, fetchTimeline, type Message, setSession } from "./api.ts";
import { Composer } from "./Composer.tsx";
import { followSession } from "./live.ts";
import { goToSessions } from "./router.ts";
import { Sidebar } from "./Sidebar.tsx";
import { Timeline } from "./Timeline.tsx";
import { mergeMessages } from "./timeline.ts";

const NO_AGENTS = "No agents registered in this session. Use the cafleet register CLI to add one.";

export function SessionView(props: { sessionId: string }) {
  const [ready, setReady] = createSignal(false);
  const [agents, setAgents] = createSignal<Agent[]>([]);
  const [messages, setMessages] = createSignal<Message[]>([]);
  const [timelineLoading, setTimelineLoading] = createSignal(true);

  const administrator = createMemo(() =>
    agents().find((agent) => agent.kind === "builtin-administrator" && agent.status === "active"),
  );
  const recipients = createMemo(() =>
    agents().filter((agent) => agent.status === "active" && agent.kind !== "builtin-administrator"),
  );

  // A failed refresh keeps the agents already shown.
  const loadAgents = () =>
    fetchAgents()
      .then(setAgents)
      .catch(() => {});
  const loadTimeline = () =>
    fetchTimeline()
      .then(setMessages)
      .catch(() => setMessages([]))
      .finally(() => setTimelineLoading(false));
  const refresh = () => Promise.all([loadAgents(), loadTimeline()]);

  // Registered now, while Solid knows the component: an onCleanup after an await has no owner
  // and never runs, which left the event stream open (and reconnecting) after the view was left.
  let stopFollowing: (() => void) | undefined;
  let left = false;
  onCleanup(() => {
    left = true;
    stopFollowing?.();
  });

  onMount(async () => {
    try {
      const sessions = await fetchSessions();
      if (!sessions.some((session) => session.session_id === props.sessionId)) return goToSessions();
      setSession(props.sessionId);
      setAgents(await fetchAgents());
    } catch {
      return goToSessions();
    }
    if (left) return;
    setReady(true);
    loadTimeline();
    stopFollowing = followSession(props.sessionId, {
      onEvent: (event) => {
        if (event.messages.length > 0) setMessages(mergeMessages(messages(), event.messages));
        if (event.agents_changed) loadAgents();
      },
      onResync: refresh,
    });
  });

  return (
    <Show when={ready()} fallback={<p class="p-6 text-gray-500">Loading...</p>}>
      <div class="h-screen flex flex-col">
        <header class="flex items-center gap-3 px-5 py-3 bg-white dark:bg-gray-800 border-b border-gray-200 dark:border-gray-700">
          <h1 class="text-lg font-semibold">CAFleet — {props.sessionId.slice(0, 8)}</h1>
          <div class="ml-auto flex items-center gap-2">
            <Show when={administrator()}>
              <span class="text-sm text-gray-500 dark:text-gray-400">Sending as Administrator</span>
            </Show>
            <button type="button" class="btn" onClick={refresh}>
              Refresh
            </button>
            <button
              type="button"
              class="btn"
              onClick={() => {
                setSession(null);
                goToSessions();
              }}
            >
              Back to Sessions
            </button>
          </div>
        </header>
        <Show when={!administrator()}>
          <div class="px-5 py-2 bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200 text-sm">
            This session has no Administrator agent. Send is disabled. Create a new session with{" "}
            <code class="font-mono">cafleet session create</code>.
          </div>
        </Show>
        <div class="flex-1 flex min-h-0">
          <Sidebar agents={agents()} emptyText={NO_AGENTS} />
          <main class="flex-1 flex flex-col min-w-0">
            <Show
              when={agents().length > 0}
              fallback={<p class="flex-1 p-6 text-gray-500 dark:text-gray-400">{NO_AGENTS}</p>}
            >
              <Timeline messages={messages()} agents={agents()} loading={timelineLoading()} />
            </Show>
            <Composer
              administratorId={administrator()?.agent_id}
              recipients={recipients()}
              onSent={refresh}
            />
          </main>
        </div>
      </div>
    </Show>
  );
}
