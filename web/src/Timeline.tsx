import { createEffect, createMemo, For, Match, on, Show, Switch } from "solid-js";
import type { Agent, Message } from "./api.ts";
import { ackTooltip, clockTime, type Entry, groupEntries, isCanceled } from "./timeline.ts";

function AckChip(props: { row: Message; agents: Agent[] }) {
  const tooltip = () => ackTooltip(props.row, props.agents);
  return (
    <span class="ack group relative inline-block">
      <span class="px-1.5 rounded text-xs font-mono bg-green-100 text-green-800 dark:bg-green-900/60 dark:text-green-200">
        [ack]
      </span>
      <span
        role="tooltip"
        class="ack-tooltip invisible group-hover:visible absolute left-0 bottom-full mb-1 z-10 whitespace-nowrap px-2 py-1 rounded text-xs bg-gray-900 text-white dark:bg-gray-100 dark:text-gray-900 shadow"
      >
        {tooltip()}
      </span>
    </span>
  );
}

function TimelineEntry(props: { entry: Entry; agents: Agent[] }) {
  const first = () => props.entry.rows[0]!;
  const canceled = () => isCanceled(props.entry);
  const acks = () => props.entry.rows.filter((row) => row.status === "completed");
  return (
    <li
      class="entry px-5 py-2 hover:bg-gray-50 dark:hover:bg-gray-800/60"
      data-entry-key={props.entry.key}
      data-kind={props.entry.broadcast ? "broadcast" : "unicast"}
    >
      <div class="flex flex-wrap items-baseline gap-x-2 gap-y-1">
        <time class="text-xs font-mono text-gray-500 dark:text-gray-400">
          {clockTime(props.entry.sortKey)}
        </time>
        <span class="sender font-semibold">{first().from_agent_name}</span>
        <span class="text-gray-400">→</span>
        <For each={props.entry.rows}>
          {(row) => (
            <span class="mention px-1.5 rounded text-sm bg-indigo-100 text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200">
              @{row.to_agent_name}
            </span>
          )}
        </For>
      </div>
      <p
        class="body mt-0.5 whitespace-pre-wrap break-words [overflow-wrap:anywhere]"
        classList={{ "line-through opacity-50": canceled() }}
      >
        {first().body}
      </p>
      <Show when={!canceled() && acks().length > 0}>
        <div class="mt-1 flex flex-wrap gap-1">
          <For each={acks()}>{(row) => <AckChip row={row} agents={props.agents} />}</For>
        </div>
      </Show>
    </li>
  );
}

export function Timeline(props: { messages: Message[]; agents: Agent[]; loading: boolean }) {
  const entries = createMemo(() => groupEntries(props.messages));
  let scroller: HTMLDivElement | undefined;
  // Also when loading ends: the first entries arrive while "Loading timeline..." is still shown.
  createEffect(
    on([entries, () => props.loading], () => {
      requestAnimationFrame(() => {
        if (scroller) scroller.scrollTop = scroller.scrollHeight;
      });
    }),
  );
  return (
    <div ref={scroller} class="timeline flex-1 overflow-y-auto py-2">
      <Switch>
        <Match when={props.loading}>
          <p class="px-5 py-4 text-gray-500">Loading timeline...</p>
        </Match>
        <Match when={entries().length === 0}>
          <p class="px-5 py-4 text-gray-500">No messages yet</p>
        </Match>
        <Match when={entries().length > 0}>
          <ul>
            <For each={entries()}>{(entry) => <TimelineEntry entry={entry} agents={props.agents} />}</For>
          </ul>
        </Match>
      </Switch>
    </div>
  );
}
