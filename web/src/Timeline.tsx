import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, Show, Switch } from "solid-js";
import type { Agent, Message } from "./api.ts";
import {
  ackTooltip,
  clockTime,
  DELIVERY_LABELS,
  deliveryState,
  deliveryTooltip,
  type Entry,
  groupEntries,
  isCanceled,
  isOverdue,
  replyLabel,
} from "./timeline.ts";

const DELIVERY_CLASSES = {
  stored: "bg-gray-100 text-gray-600 dark:bg-gray-800 dark:text-gray-300",
  held: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
  notified: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
  read: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  canceled: "bg-gray-100 text-gray-400 dark:bg-gray-800 dark:text-gray-500",
};

/** One recipient's delivery state; a broadcast shows one per recipient, named. */
function DeliveryChip(props: { row: Message; named: boolean; now: number }) {
  const state = () => deliveryState(props.row);
  const overdue = () => isOverdue(props.row, props.now);
  return (
    <span
      class={`delivery px-1.5 rounded text-xs font-mono ${DELIVERY_CLASSES[state()]}`}
      classList={{ "ring-1 ring-amber-500": overdue() }}
      data-state={state()}
      data-overdue={overdue() ? "true" : "false"}
      title={deliveryTooltip(props.row)}
    >
      {props.named ? `@${props.row.to_agent_name} ` : ""}
      {DELIVERY_LABELS[state()]}
      {state() === "held" ? `: ${props.row.held_reason}` : ""}
      {overdue() ? " · overdue" : ""}
    </span>
  );
}

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

function TimelineEntry(props: { entry: Entry; agents: Agent[]; messages: Message[]; now: number }) {
  const first = () => props.entry.rows[0]!;
  const canceled = () => isCanceled(props.entry);
  const acks = () => props.entry.rows.filter((row) => row.status === "completed");
  const overdue = () => props.entry.rows.some((row) => isOverdue(row, props.now));
  return (
    <li
      class="entry px-5 py-2 hover:bg-gray-50 dark:hover:bg-gray-800/60 border-l-4 border-l-solid"
      classList={{ "overdue bg-amber-50 dark:bg-amber-900/20": overdue() }}
      style={{ "border-left-color": overdue() ? "#f59e0b" : "transparent" }}
      data-entry-key={props.entry.key}
      data-kind={props.entry.broadcast ? "broadcast" : "unicast"}
      data-reply-to={first().reply_to_task_id ?? undefined}
    >
      <Show when={first().reply_to_task_id}>
        {(replyTo) => (
          <div class="reply-to text-xs text-gray-500 dark:text-gray-400 truncate">
            {replyLabel(replyTo(), props.messages)}
          </div>
        )}
      </Show>
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
      <div class="mt-1 flex flex-wrap gap-1">
        <For each={props.entry.rows}>
          {(row) => <DeliveryChip row={row} named={props.entry.broadcast} now={props.now} />}
        </For>
        <Show when={!canceled()}>
          <For each={acks()}>{(row) => <AckChip row={row} agents={props.agents} />}</For>
        </Show>
      </div>
    </li>
  );
}

export function Timeline(props: { messages: Message[]; agents: Agent[]; loading: boolean }) {
  const entries = createMemo(() => groupEntries(props.messages));
  // Overdue is a matter of time passing too, not only of new rows.
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 30_000);
  onCleanup(() => clearInterval(clock));
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
            <For each={entries()}>
              {(entry) => (
                <TimelineEntry entry={entry} agents={props.agents} messages={props.messages} now={now()} />
              )}
            </For>
          </ul>
        </Match>
      </Switch>
    </div>
  );
}
