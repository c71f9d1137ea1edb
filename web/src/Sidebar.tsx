import { createMemo, For, Show } from "solid-js";
import type { Agent } from "./api.ts";
import { byKey } from "./order.ts";

function byRegistration(agents: Agent[]): Agent[] {
  return [...agents].sort(byKey((agent) => agent.registered_at));
}

function AgentGroup(props: { title: string; agents: Agent[]; muted: boolean }) {
  return (
    <Show when={props.agents.length > 0}>
      <section
        class="mb-4"
        classList={{ "opacity-50 pointer-events-none": props.muted }}
        data-group={props.title}
      >
        <h2 class="px-3 mb-1 text-xs font-semibold uppercase tracking-wide text-gray-500 dark:text-gray-400">
          {props.title}
        </h2>
        <ul>
          <For each={props.agents}>
            {(agent) => (
              <li
                class="agent-row px-3 py-1 truncate text-sm"
                title={agent.name}
                data-agent-id={agent.agent_id}
              >
                {agent.name}
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

export function Sidebar(props: { agents: Agent[]; emptyText: string }) {
  const active = createMemo(() => byRegistration(props.agents.filter((agent) => agent.status === "active")));
  const gone = createMemo(() => byRegistration(props.agents.filter((agent) => agent.status !== "active")));
  return (
    <aside class="w-56 shrink-0 overflow-y-auto py-3 bg-gray-50 dark:bg-gray-900 border-r border-gray-200 dark:border-gray-700">
      <Show
        when={props.agents.length > 0}
        fallback={<p class="px-3 text-sm text-gray-500">{props.emptyText}</p>}
      >
        <AgentGroup title="Active" agents={active()} muted={false} />
        <AgentGroup title="Deregistered" agents={gone()} muted={true} />
      </Show>
    </aside>
  );
}
