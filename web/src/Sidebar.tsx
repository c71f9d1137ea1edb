import { createEffect, createMemo, For, on, Show } from "solid-js";
import type { Agent, FleetAgent, FleetState } from "./api.ts";
import { stateText } from "./fleet.ts";
import { byKey } from "./order.ts";
import { relativeTime } from "./timeline.ts";

const STATE_DOTS: Record<FleetState, string> = {
  idle: "bg-emerald-500",
  working: "bg-sky-500 animate-pulse",
  waiting: "bg-amber-500",
  gone: "bg-red-600",
  pending: "bg-gray-400",
  unknown: "bg-gray-400",
  no_pane: "bg-gray-300 dark:bg-gray-600",
};

function byRegistration(agents: Agent[]): Agent[] {
  return [...agents].sort(byKey((agent) => agent.registered_at));
}

/** One member: its name, and while the fleet is known its state, counts, model and last activity. */
function AgentStatus(props: { agent: Agent; fleet: FleetAgent | undefined; now: number }) {
  return (
    <>
      <span class="flex items-center gap-2 min-w-0">
        <Show when={props.fleet}>
          {(fleet) => (
            <span class={`h-2 w-2 shrink-0 rounded-full ${STATE_DOTS[fleet().state]}`} aria-hidden="true" />
          )}
        </Show>
        <span class="agent-name truncate font-medium" title={props.agent.name}>
          {props.agent.name}
        </span>
        <Show when={props.fleet && props.fleet.unread > 0}>
          <span
            class="agent-unread ml-auto shrink-0 px-1.5 rounded-full text-xs bg-indigo-600 text-white"
            title="Unread messages"
          >
            {props.fleet?.unread} unread
          </span>
        </Show>
      </span>
      <Show when={props.fleet}>
        {(fleet) => (
          <span class="flex flex-wrap gap-x-2 pl-4 text-xs text-gray-600 dark:text-gray-300">
            <span class="agent-state" data-state={fleet().state}>
              {stateText(fleet())}
            </span>
            <Show when={fleet().held > 0}>
              <span class="agent-held text-amber-800 dark:text-amber-200">{fleet().held} held</span>
            </Show>
            <Show when={fleet().model}>
              <span class="agent-model font-mono">{fleet().model}</span>
            </Show>
            <Show when={fleet().last_activity}>
              {(last) => <span class="agent-activity">{relativeTime(last(), props.now)}</span>}
            </Show>
          </span>
        )}
      </Show>
    </>
  );
}

function AgentGroup(props: {
  title: string;
  agents: Agent[];
  muted: boolean;
  fleet: Map<string, FleetAgent>;
  selectedId: string | undefined;
  now: number;
  onSelect: (agentId: string | undefined) => void;
}) {
  return (
    <Show when={props.agents.length > 0}>
      <section
        class="mb-4"
        classList={{ "opacity-50 pointer-events-none": props.muted }}
        data-group={props.title}
        aria-label={`${props.title} agents`}
      >
        <h2 class="px-3 mb-1 text-xs font-semibold uppercase tracking-wide text-gray-600 dark:text-gray-300">
          {props.title}
        </h2>
        <ul>
          <For each={props.agents}>
            {(agent) => (
              <li class="agent-row text-sm" data-agent-id={agent.agent_id}>
                <button
                  type="button"
                  class="w-full flex flex-col gap-0.5 px-3 py-1.5 text-left hover:bg-gray-100 dark:hover:bg-gray-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-400"
                  classList={{ "bg-indigo-100 dark:bg-indigo-900/60": props.selectedId === agent.agent_id }}
                  aria-pressed={props.selectedId === agent.agent_id}
                  disabled={props.muted}
                  onClick={() =>
                    props.onSelect(props.selectedId === agent.agent_id ? undefined : agent.agent_id)
                  }
                >
                  <AgentStatus agent={agent} fleet={props.fleet.get(agent.agent_id)} now={props.now} />
                </button>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

/** Fixed beside the timeline on wide screens; below the lg breakpoint a drawer opened from the header. */
export function Sidebar(props: {
  agents: Agent[];
  emptyText: string;
  fleet: Map<string, FleetAgent>;
  selectedId: string | undefined;
  open: boolean;
  now: number;
  onSelect: (agentId: string | undefined) => void;
  onClose: () => void;
}) {
  const active = createMemo(() => byRegistration(props.agents.filter((agent) => agent.status === "active")));
  const gone = createMemo(() => byRegistration(props.agents.filter((agent) => agent.status !== "active")));
  let aside: HTMLElement | undefined;
  // An opened drawer takes the focus, so the keyboard lands in it rather than behind the backdrop.
  createEffect(
    on(
      () => props.open,
      (open) => {
        if (open) aside?.querySelector<HTMLButtonElement>("button:not([disabled])")?.focus();
      },
      { defer: true },
    ),
  );
  return (
    <>
      <Show when={props.open}>
        <div
          class="drawer-backdrop fixed inset-0 z-20 bg-black/40 lg:hidden"
          aria-hidden="true"
          onClick={props.onClose}
        />
      </Show>
      <aside
        ref={aside}
        id="agents-drawer"
        aria-label="Agents"
        class="sidebar w-72 shrink-0 overflow-y-auto py-3 bg-gray-50 dark:bg-gray-900 border-r border-gray-200 dark:border-gray-700 lg:static lg:block lg:shadow-none"
        classList={{ hidden: !props.open, "fixed inset-y-0 left-0 z-30 shadow-xl": props.open }}
      >
        <Show
          when={props.agents.length > 0}
          fallback={<p class="px-3 text-sm text-gray-600 dark:text-gray-300">{props.emptyText}</p>}
        >
          <AgentGroup
            title="Active"
            agents={active()}
            muted={false}
            fleet={props.fleet}
            selectedId={props.selectedId}
            now={props.now}
            onSelect={props.onSelect}
          />
          <AgentGroup
            title="Deregistered"
            agents={gone()}
            muted={true}
            fleet={props.fleet}
            selectedId={props.selectedId}
            now={props.now}
            onSelect={props.onSelect}
          />
        </Show>
      </aside>
    </>
  );
}
