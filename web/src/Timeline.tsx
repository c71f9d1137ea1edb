import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, Show, Switch } from "solid-js";
import type { Agent, Message } from "./api.ts";
import { copyCodeBlock, MessageBody } from "./MessageBody.tsx";
import {
  ackTooltip,
  clockTime,
  DELIVERY_LABELS,
  deliveryState,
  deliveryTooltip,
  type Entry,
  type EntryLayout,
  exactTime,
  groupEntries,
  involves,
  isCanceled,
  isOverdue,
  layoutEntries,
  relativeTime,
  replyLabel,
  reuseEntries,
} from "./timeline.ts";

const DELIVERY_CLASSES = {
  stored: "bg-gray-100 text-gray-700 dark:bg-gray-800 dark:text-gray-300",
  held: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
  notified: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
  read: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  canceled: "bg-gray-100 text-gray-600 dark:bg-gray-800 dark:text-gray-400",
};

/** Closer to the bottom than this counts as reading the newest messages. */
const BOTTOM_SLACK_PX = 48;
const FLASH_MS = 2000;

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

/** Focusable, so the ACK's who and when are reachable by keyboard and screen reader, not only by hover. */
function AckChip(props: { row: Message; agents: Agent[] }) {
  const tooltip = () => ackTooltip(props.row, props.agents);
  const id = `ack-${props.row.task_id}`;
  return (
    <span class="ack group relative inline-block">
      <button
        type="button"
        aria-describedby={id}
        class="px-1.5 rounded text-xs font-mono bg-green-100 text-green-800 dark:bg-green-900/60 dark:text-green-200 focus:outline-none focus:ring-2 focus:ring-indigo-400"
      >
        [ack]
      </button>
      <span
        id={id}
        role="tooltip"
        class="ack-tooltip invisible group-hover:visible group-focus-within:visible absolute left-0 bottom-full mb-1 z-10 whitespace-nowrap px-2 py-1 rounded text-xs bg-gray-900 text-white dark:bg-gray-100 dark:text-gray-900 shadow"
      >
        {tooltip()}
      </span>
    </span>
  );
}

function TimelineEntry(props: {
  entry: Entry;
  layout: EntryLayout | undefined;
  agents: Agent[];
  messages: Message[];
  now: number;
  flashed: boolean;
  onReply: ((entry: Entry) => void) | undefined;
  onReveal: (taskId: string) => void;
}) {
  const first = () => props.entry.rows[0]!;
  const canceled = () => isCanceled(props.entry);
  const acks = () => props.entry.rows.filter((row) => row.status === "completed");
  const overdue = () => props.entry.rows.some((row) => isOverdue(row, props.now));
  const grouped = () => props.layout?.grouped ?? false;
  return (
    <>
      <Show when={props.layout?.unreadBefore}>
        <li class="unread-divider flex items-center gap-2 px-5 py-1 text-xs font-semibold text-red-700 dark:text-red-300">
          <span class="flex-1 border-t border-red-400" aria-hidden="true" />
          New messages
          <span class="flex-1 border-t border-red-400" aria-hidden="true" />
        </li>
      </Show>
      <Show when={props.layout?.dayBreak}>
        {(label) => (
          <li class="day-separator flex items-center gap-3 px-5 pt-3 pb-1 text-xs font-semibold text-gray-600 dark:text-gray-300">
            <span class="flex-1 border-t border-gray-300 dark:border-gray-600" aria-hidden="true" />
            <span>{label()}</span>
            <span class="flex-1 border-t border-gray-300 dark:border-gray-600" aria-hidden="true" />
          </li>
        )}
      </Show>
      <li
        class="entry group/entry relative px-5 hover:bg-gray-50 dark:hover:bg-gray-800/60 border-l-4 border-l-solid"
        classList={{
          "overdue bg-amber-50 dark:bg-amber-900/20": overdue(),
          "py-2": !grouped(),
          "py-0.5": grouped(),
          "flash bg-indigo-50 dark:bg-indigo-900/40": props.flashed,
        }}
        style={{ "border-left-color": overdue() ? "#f59e0b" : "transparent" }}
        data-entry-key={props.entry.key}
        data-kind={props.entry.broadcast ? "broadcast" : "unicast"}
        data-reply-to={first().reply_to_task_id ?? undefined}
        data-grouped={grouped() ? "true" : "false"}
      >
        <Show when={first().reply_to_task_id}>
          {(replyTo) => (
            <button
              type="button"
              class="reply-to block max-w-full text-left text-xs text-gray-600 dark:text-gray-300 truncate hover:underline"
              onClick={() => props.onReveal(replyTo())}
            >
              {replyLabel(replyTo(), props.messages)}
            </button>
          )}
        </Show>
        <div
          classList={{
            "ml-4 pl-3 border-l-2 border-indigo-300 dark:border-indigo-600": !!first().reply_to_task_id,
          }}
        >
          <div class="flex flex-wrap items-baseline gap-x-2 gap-y-1">
            <span
              class="entry-time inline-flex items-baseline gap-1.5"
              title={exactTime(props.entry.sortKey)}
            >
              <time datetime={props.entry.sortKey} class="text-xs font-mono text-gray-600 dark:text-gray-300">
                {clockTime(props.entry.sortKey)}
              </time>
              <span class="relative-time text-xs text-gray-600 dark:text-gray-300">
                {relativeTime(props.entry.sortKey, props.now)}
              </span>
            </span>
            <span class="sender font-semibold" classList={{ "sr-only": grouped() }}>
              {first().from_agent_name}
            </span>
            <span class="text-gray-500" classList={{ "sr-only": grouped() }} aria-hidden="true">
              →
            </span>
            <For each={props.entry.rows}>
              {(row) => (
                <span class="mention px-1.5 rounded text-sm bg-indigo-100 text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200">
                  @{row.to_agent_name}
                </span>
              )}
            </For>
            <Show when={props.onReply}>
              {(reply) => (
                <button
                  type="button"
                  class="reply-button ml-auto px-1.5 rounded text-xs text-indigo-700 dark:text-indigo-300 hover:bg-indigo-50 dark:hover:bg-indigo-900/40 focus:outline-none focus:ring-2 focus:ring-indigo-400"
                  aria-label={`Reply to ${first().from_agent_name}`}
                  onClick={() => reply()(props.entry)}
                >
                  Reply
                </button>
              )}
            </Show>
          </div>
          <MessageBody body={first().body} canceled={canceled()} />
          <div class="mt-1 flex flex-wrap gap-1">
            <For each={props.entry.rows}>
              {(row) => <DeliveryChip row={row} named={props.entry.broadcast} now={props.now} />}
            </For>
            <Show when={!canceled()}>
              <For each={acks()}>{(row) => <AckChip row={row} agents={props.agents} />}</For>
            </Show>
          </div>
        </div>
      </li>
    </>
  );
}

export type TimelineHandle = { reveal: (taskId: string) => void; scrollToNewest: () => void };

export function Timeline(props: {
  messages: Message[];
  agents: Agent[];
  loading: boolean;
  /** A member's conversation: only entries from or to this agent. */
  focusAgentId?: string | undefined;
  /** Entries newer than this get the unread divider (null: none). */
  seenUntil: string | null;
  selfId: string | undefined;
  /** The view's clock: overdue and relative times change as time passes, not only with new rows. */
  now: number;
  onReply?: (entry: Entry) => void;
  /** Told the newest sort key on screen whenever the newest entries are in view. */
  onSeen?: (sortKey: string) => void;
  handle?: (handle: TimelineHandle) => void;
}) {
  const grouped = createMemo<Entry[]>((previous) =>
    reuseEntries(previous ?? [], groupEntries(props.messages)),
  );
  const entries = createMemo(() => {
    const agentId = props.focusAgentId;
    return agentId ? grouped().filter((entry) => involves(entry, agentId)) : grouped();
  });
  const layout = createMemo(() => layoutEntries(entries(), props.now, props.seenUntil, props.selfId));
  const [atBottom, setAtBottom] = createSignal(true);
  const [flashed, setFlashed] = createSignal<string | null>(null);
  let scroller: HTMLDivElement | undefined;
  let flashTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(flashTimer));

  const newest = () => entries().at(-1)?.sortKey;
  const reportSeen = () => {
    const key = newest();
    if (key && atBottom() && document.visibilityState === "visible") props.onSeen?.(key);
  };
  const scrollToNewest = () => {
    requestAnimationFrame(() => {
      if (!scroller) return;
      scroller.scrollTop = scroller.scrollHeight;
      setAtBottom(true);
      reportSeen();
    });
  };
  const reveal = (taskId: string) => {
    const entry = grouped().find((candidate) => candidate.rows.some((row) => row.task_id === taskId));
    const element = entry && scroller?.querySelector(`[data-entry-key="${CSS.escape(entry.key)}"]`);
    if (!entry || !element) return;
    element.scrollIntoView({ block: "center" });
    setFlashed(entry.key);
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => setFlashed(null), FLASH_MS);
  };
  props.handle?.({ reveal, scrollToNewest });

  // Follows new entries only while the reader is at the bottom; scrolled up, they wait behind
  // 'Jump to newest'. Also when loading ends or the member changes: a fresh list starts at the bottom.
  createEffect(
    on([entries, () => props.loading, () => props.focusAgentId], (_value, previous) => {
      const fresh = !previous || previous[1] !== props.loading || previous[2] !== props.focusAgentId;
      if (fresh || atBottom()) scrollToNewest();
    }),
  );
  const onScroll = () => {
    if (!scroller) return;
    setAtBottom(scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - BOTTOM_SLACK_PX);
    reportSeen();
  };

  return (
    <div class="relative flex-1 min-h-0 flex flex-col">
      <div
        ref={(element) => {
          scroller = element;
          // One listener for every code block's copy button, which lives in sanitized HTML.
          element.addEventListener("click", (event) => void copyCodeBlock(event));
        }}
        class="timeline flex-1 overflow-y-auto py-2"
        role="log"
        aria-label="Timeline"
        onScroll={onScroll}
      >
        <Switch>
          <Match when={props.loading}>
            <p class="px-5 py-4 text-gray-600 dark:text-gray-300">Loading timeline...</p>
          </Match>
          <Match when={entries().length === 0}>
            <p class="px-5 py-4 text-gray-600 dark:text-gray-300">No messages yet</p>
          </Match>
          <Match when={entries().length > 0}>
            <ul>
              <For each={entries()}>
                {(entry) => (
                  <TimelineEntry
                    entry={entry}
                    layout={layout().get(entry.key)}
                    agents={props.agents}
                    messages={props.messages}
                    now={props.now}
                    flashed={flashed() === entry.key}
                    onReply={props.onReply}
                    onReveal={reveal}
                  />
                )}
              </For>
            </ul>
          </Match>
        </Switch>
      </div>
      <Show when={!atBottom() && entries().length > 0}>
        <button
          type="button"
          class="jump-newest btn btn-primary absolute bottom-3 left-1/2 -translate-x-1/2 shadow-lg"
          onClick={scrollToNewest}
        >
          Jump to newest ↓
        </button>
      </Show>
    </div>
  );
}
