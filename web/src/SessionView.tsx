import { createMemo, createSignal, onCleanup, onMount, Show } from "solid-js";
import {
  type Agent,
  type FleetAgent,
  fetchAgents,
  fetchFleet,
  fetchSessions,
  fetchTimeline,
  type Message,
  type SearchHit,
  setSession,
} from "./api.ts";
import { Composer, type ReplyDraft } from "./Composer.tsx";
import { byAgentId, hasPane } from "./fleet.ts";
import { followSession } from "./live.ts";
import { MemberScreen } from "./MemberScreen.tsx";
import { slug } from "./mentions.ts";
import { goToSessions } from "./router.ts";
import { SearchResults } from "./SearchResults.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { markSeen, readSeen } from "./seen.ts";
import { Timeline, type TimelineHandle } from "./Timeline.tsx";
import { type Entry, mergeMessages, reconcileMessages, replyLabel, replyTarget } from "./timeline.ts";

const NO_AGENTS = "No agents registered in this session. Use the cafleet register CLI to add one.";
const CLOCK_MS = 30_000;

export function SessionView(props: { sessionId: string }) {
  const [ready, setReady] = createSignal(false);
  const [agents, setAgents] = createSignal<Agent[]>([]);
  const [messages, setMessages] = createSignal<Message[]>([]);
  const [fleet, setFleet] = createSignal<Map<string, FleetAgent>>(new Map());
  const [timelineLoading, setTimelineLoading] = createSignal(true);
  const [selectedId, setSelectedId] = createSignal<string | undefined>();
  const [drawerOpen, setDrawerOpen] = createSignal(false);
  const [query, setQuery] = createSignal("");
  const [searching, setSearching] = createSignal(false);
  const [reply, setReply] = createSignal<ReplyDraft | null>(null);
  const [now, setNow] = createSignal(Date.now());
  // Read once: the divider marks what was new when the session was opened.
  const seenUntil = readSeen(props.sessionId);
  let timeline: TimelineHandle | undefined;

  const administrator = createMemo(() =>
    agents().find((agent) => agent.kind === "builtin-administrator" && agent.status === "active"),
  );
  const recipients = createMemo(() =>
    agents().filter((agent) => agent.status === "active" && agent.kind !== "builtin-administrator"),
  );
  const selected = createMemo(() => agents().find((agent) => agent.agent_id === selectedId()));
  const watchable = createMemo(() => {
    const agent = selected();
    return agent && hasPane(fleet().get(agent.agent_id)) ? agent : undefined;
  });

  // A failed refresh keeps what is already shown.
  const loadAgents = () =>
    fetchAgents()
      .then(setAgents)
      .catch(() => {});
  const loadFleet = () =>
    fetchFleet()
      .then((found) => setFleet(byAgentId(found)))
      .catch(() => {});
  const loadTimeline = () =>
    fetchTimeline()
      .then((fetched) => setMessages(reconcileMessages(messages(), fetched)))
      .catch(() => setMessages([]))
      .finally(() => setTimelineLoading(false));
  const refresh = () => Promise.all([loadAgents(), loadTimeline(), loadFleet()]);

  const startReply = (entry: Entry) => {
    const target = replyTarget(entry, administrator()?.agent_id);
    const toSelf = target.from_agent_id === administrator()?.agent_id;
    setReply({
      taskId: target.task_id,
      label: replyLabel(target.task_id, messages()),
      mention: slug(toSelf ? target.to_agent_name : target.from_agent_name),
    });
  };

  const openHit = (hit: SearchHit) => {
    setSearching(false);
    if (selectedId() && hit.from_agent_id !== selectedId() && hit.to_agent_id !== selectedId())
      setSelectedId(undefined);
    // After the timeline is shown again, so the entry has a place to scroll to.
    requestAnimationFrame(() => timeline?.reveal(hit.task_id));
  };

  // Registered now, while Solid knows the component: an onCleanup after an await has no owner
  // and never runs, which left the event stream open (and reconnecting) after the view was left.
  let stopFollowing: (() => void) | undefined;
  let left = false;
  const clock = setInterval(() => setNow(Date.now()), CLOCK_MS);
  let drawerToggle: HTMLButtonElement | undefined;
  const closeDrawerOnEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || !drawerOpen()) return;
    setDrawerOpen(false);
    drawerToggle?.focus();
  };
  document.addEventListener("keydown", closeDrawerOnEscape);
  onCleanup(() => {
    left = true;
    clearInterval(clock);
    document.removeEventListener("keydown", closeDrawerOnEscape);
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
    loadFleet();
    stopFollowing = followSession(props.sessionId, {
      onEvent: (event) => {
        if (event.messages.length > 0) setMessages(mergeMessages(messages(), event.messages));
        if (event.agents_changed) loadAgents();
      },
      onFleet: (next) => setFleet(byAgentId(next.agents)),
      onResync: refresh,
    });
  });

  return (
    <Show when={ready()} fallback={<p class="p-6 text-gray-600">Loading...</p>}>
      <div class="h-screen flex flex-col">
        <header class="flex flex-wrap items-center gap-x-3 gap-y-2 px-3 sm:px-5 py-2 bg-white dark:bg-gray-800 border-b border-gray-200 dark:border-gray-700">
          <button
            ref={drawerToggle}
            type="button"
            class="drawer-toggle btn lg:hidden"
            aria-controls="agents-drawer"
            aria-expanded={drawerOpen()}
            onClick={() => setDrawerOpen(!drawerOpen())}
          >
            ☰ Agents
          </button>
          <h1 class="text-lg font-semibold whitespace-nowrap">CAFleet — {props.sessionId.slice(0, 8)}</h1>
          <form
            class="order-last w-full md:order-none md:w-auto md:flex-1 md:max-w-sm"
            onSubmit={(event) => {
              event.preventDefault();
              if (query().trim()) setSearching(true);
            }}
          >
            <input
              type="search"
              class="search-input w-full px-3 py-1.5 rounded-md text-sm border border-gray-300 dark:border-gray-600 bg-white dark:bg-gray-900 focus:outline-none focus:ring-2 focus:ring-indigo-400"
              placeholder="Search messages"
              aria-label="Search messages"
              value={query()}
              onInput={(event) => {
                setQuery(event.currentTarget.value);
                setSearching(event.currentTarget.value.trim() !== "");
              }}
              onKeyDown={(event) => {
                if (event.key === "Escape") setSearching(false);
              }}
            />
          </form>
          <div class="ml-auto flex flex-wrap items-center gap-2">
            <Show when={administrator()}>
              <span class="text-sm text-gray-600 dark:text-gray-300">Sending as Administrator</span>
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
          <Sidebar
            agents={agents()}
            emptyText={NO_AGENTS}
            fleet={fleet()}
            selectedId={selectedId()}
            open={drawerOpen()}
            now={now()}
            onSelect={(agentId) => {
              setSelectedId(agentId);
              setDrawerOpen(false);
            }}
            onClose={() => setDrawerOpen(false)}
          />
          <main class="flex-1 flex flex-col min-w-0">
            <Show
              when={agents().length > 0}
              fallback={<p class="flex-1 p-6 text-gray-600 dark:text-gray-300">{NO_AGENTS}</p>}
            >
              <Show when={selected()}>
                {(agent) => (
                  <div class="conversation-bar flex items-center gap-2 px-3 sm:px-5 py-1.5 text-sm border-b border-gray-200 dark:border-gray-700 bg-indigo-50 dark:bg-indigo-950/60">
                    <h2 class="font-semibold truncate">Conversation with {agent().name}</h2>
                    <button type="button" class="btn ml-auto" onClick={() => setSelectedId(undefined)}>
                      Show all
                    </button>
                  </div>
                )}
              </Show>
              <div class="flex-1 min-h-0 flex flex-col xl:flex-row">
                <Show when={watchable()} keyed>
                  {(agent) => (
                    <div class="h-[40vh] xl:h-auto xl:order-last xl:w-[46%] shrink-0 flex flex-col border-b xl:border-b-0 xl:border-l border-gray-700">
                      <MemberScreen agentId={agent.agent_id} name={agent.name} />
                    </div>
                  )}
                </Show>
                <Show when={searching()}>
                  <SearchResults
                    query={query()}
                    agentId={selectedId()}
                    onPick={openHit}
                    onClose={() => setSearching(false)}
                  />
                </Show>
                <div
                  class="flex-1 min-h-0 min-w-0 flex flex-col"
                  style={{ display: searching() ? "none" : undefined }}
                >
                  <Timeline
                    messages={messages()}
                    agents={agents()}
                    loading={timelineLoading()}
                    focusAgentId={selectedId()}
                    seenUntil={seenUntil}
                    selfId={administrator()?.agent_id}
                    now={now()}
                    onReply={administrator() ? startReply : undefined}
                    onSeen={(sortKey) => markSeen(props.sessionId, sortKey)}
                    handle={(handle) => {
                      timeline = handle;
                    }}
                  />
                </div>
              </div>
            </Show>
            <Composer
              administratorId={administrator()?.agent_id}
              recipients={recipients()}
              reply={reply()}
              onCancelReply={() => setReply(null)}
              onSent={() => {
                refresh();
                timeline?.scrollToNewest();
              }}
            />
          </main>
        </div>
      </div>
    </Show>
  );
}
