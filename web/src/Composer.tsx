import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { BROADCAST_TARGET } from "../../src/server/broadcast.ts";
import { type Agent, failureText, sendMessage } from "./api.ts";
import {
  type ActiveMention,
  findActiveMention,
  insertMention,
  mentionCandidates,
  parseMessage,
  REPLY_TO_BROADCAST,
} from "./mentions.ts";

const MAX_HEIGHT_REM = 9;
const BLUR_CLOSE_MS = 100;
const LISTBOX_ID = "mention-listbox";

/** The message a reply answers: its task, the line shown above the input, whom to mention. */
export type ReplyDraft = { taskId: string; label: string; mention: string };

export function Composer(props: {
  administratorId: string | undefined;
  recipients: Agent[];
  reply: ReplyDraft | null;
  onCancelReply: () => void;
  onSent: () => void;
}) {
  const [text, setText] = createSignal("");
  const [error, setError] = createSignal("");
  const [sending, setSending] = createSignal(false);
  const [mention, setMention] = createSignal<ActiveMention | null>(null);
  const [dismissed, setDismissed] = createSignal(false);
  let input: HTMLTextAreaElement | undefined;
  let composing = false;

  const disabled = () => !props.administratorId || props.recipients.length === 0;
  const candidates = createMemo(() => {
    const active = mention();
    return active ? mentionCandidates(active.query, props.recipients) : [];
  });
  const open = createMemo(() => !dismissed() && mention() !== null && candidates().length > 0);
  // One opening of the popover at one `@`: a new object each time it (re)opens or the `@` moves.
  const opening = createMemo<{ start: number } | undefined>((previous) => {
    const start = open() ? mention()?.start : undefined;
    if (start === undefined) return undefined;
    return previous?.start === start ? previous : { start };
  });
  // The row the arrows or the mouse picked, in the opening it was picked in; else the first row.
  const [picked, setPicked] = createSignal<{ opening: object | undefined; index: number }>({
    opening: undefined,
    index: 0,
  });
  const highlight = createMemo(() => {
    const { opening: pickedIn, index } = picked();
    return pickedIn === opening() ? Math.max(0, Math.min(index, candidates().length - 1)) : 0;
  });
  const setHighlight = (index: number) => setPicked({ opening: opening(), index });

  const caret = () => input?.selectionStart ?? text().length;
  const updateMention = () => setMention(findActiveMention(text(), caret()));
  const onSelectionChange = () => {
    if (document.activeElement === input) updateMention();
  };
  document.addEventListener("selectionchange", onSelectionChange);
  onCleanup(() => document.removeEventListener("selectionchange", onSelectionChange));

  const resize = () => {
    if (!input) return;
    input.style.height = "auto";
    const max = MAX_HEIGHT_REM * Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
    input.style.height = `${Math.min(input.scrollHeight, max)}px`;
    input.style.overflowY = input.scrollHeight > max ? "auto" : "hidden";
  };

  onMount(resize);

  // Starting a reply addresses it: the replied-to sender's mention, unless the text has one.
  createEffect(
    on(
      () => props.reply,
      (reply) => {
        if (!reply || !input) return;
        if (!/^\s*@/.test(text())) setText(`@${reply.mention} ${text().replace(/^\s+/, "")}`);
        input.focus();
        input.setSelectionRange(text().length, text().length);
        setError("");
        resize();
      },
    ),
  );

  const choose = (index: number) => {
    const active = mention();
    const candidate = candidates()[index];
    if (!input || !active || !candidate) return;
    const next = insertMention(text(), active, caret(), candidate.slug);
    setText(next.text);
    input.setSelectionRange(next.caret, next.caret);
    updateMention();
    resize();
  };

  const send = async () => {
    if (sending() || disabled() || text().trim() === "" || !props.administratorId) return;
    const parsed = parseMessage(text(), props.recipients);
    if (!parsed.ok) return setError(parsed.error);
    const reply = props.reply;
    if (reply && parsed.toAgentId === BROADCAST_TARGET) return setError(REPLY_TO_BROADCAST);
    setSending(true);
    try {
      await sendMessage({
        from_agent_id: props.administratorId,
        to_agent_id: parsed.toAgentId,
        text: parsed.body,
        ...(reply ? { reply_to: reply.taskId } : {}),
      });
      setText("");
      setMention(null);
      resize();
      if (reply) props.onCancelReply();
      props.onSent();
    } catch (failure) {
      setError(failureText(failure, "Send failed"));
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    // An IME composition owns Enter, Tab and the arrows: composing must never submit.
    if (event.isComposing || composing || event.keyCode === 229) return;
    if (open()) {
      const last = candidates().length - 1;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        return setHighlight(Math.min(highlight() + 1, last));
      }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        return setHighlight(Math.max(highlight() - 1, 0));
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        return choose(highlight());
      }
      if (event.key === "Escape") {
        event.preventDefault();
        return setDismissed(true);
      }
    }
    if (event.key === "Escape" && props.reply) {
      event.preventDefault();
      return props.onCancelReply();
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <div class="composer relative px-3 sm:px-5 pb-4 pt-2 border-t border-gray-200 dark:border-gray-700 bg-white dark:bg-gray-800">
      <Show when={props.reply}>
        {(reply) => (
          <div class="reply-draft flex items-center gap-2 mb-1.5 px-2 py-1 rounded text-xs bg-indigo-50 text-indigo-900 dark:bg-indigo-900/40 dark:text-indigo-100">
            <span class="truncate">{reply().label}</span>
            <button
              type="button"
              class="ml-auto shrink-0 px-1.5 rounded hover:bg-indigo-100 dark:hover:bg-indigo-800"
              aria-label="Cancel reply"
              onClick={props.onCancelReply}
            >
              ✕
            </button>
          </div>
        )}
      </Show>
      <Show when={open()}>
        <div
          id={LISTBOX_ID}
          role="listbox"
          aria-label="Mention suggestions"
          class="mention-popover absolute left-5 bottom-full mb-1 min-w-64 max-w-md py-1 rounded-md shadow-lg bg-white dark:bg-gray-700 border border-gray-200 dark:border-gray-600"
        >
          <For each={candidates()}>
            {(candidate, index) => (
              <div
                id={`mention-option-${index()}`}
                role="option"
                tabIndex={-1}
                aria-selected={index() === highlight()}
                class="mention-option flex gap-3 px-3 py-1 cursor-pointer text-sm"
                classList={{ "bg-indigo-100 dark:bg-indigo-800": index() === highlight() }}
                onMouseEnter={() => setHighlight(index())}
                onMouseDown={(event) => {
                  event.preventDefault();
                  choose(index());
                }}
              >
                <span class="font-mono">@{candidate.slug}</span>
                <span class="text-gray-600 dark:text-gray-300 truncate">{candidate.label}</span>
              </div>
            )}
          </For>
        </div>
      </Show>
      <div class="flex items-end gap-2">
        <textarea
          ref={input}
          value={text()}
          role="combobox"
          aria-label="Message"
          aria-autocomplete="list"
          aria-haspopup="listbox"
          aria-expanded={open()}
          aria-controls={open() ? LISTBOX_ID : undefined}
          aria-activedescendant={open() ? `mention-option-${highlight()}` : undefined}
          rows={1}
          class="flex-1 min-w-0 resize-none px-3 py-2 rounded-md border border-gray-300 dark:border-gray-600 bg-white dark:bg-gray-900 focus:outline-none focus:ring-2 focus:ring-indigo-400 disabled:opacity-60"
          placeholder={
            disabled() ? "Administrator unavailable — messaging disabled" : "@agent or @all message..."
          }
          disabled={disabled()}
          onInput={(event) => {
            setText(event.currentTarget.value);
            setError("");
            setDismissed(false);
            updateMention();
            resize();
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(event) => {
            if (event.key !== "Escape") updateMention();
          }}
          onMouseUp={() => {
            setDismissed(false);
            updateMention();
          }}
          onCompositionStart={() => {
            composing = true;
          }}
          onCompositionEnd={() => {
            composing = false;
          }}
          onBlur={() => setTimeout(() => setDismissed(true), BLUR_CLOSE_MS)}
          onFocus={() => setDismissed(false)}
        />
        <button
          type="button"
          class="btn btn-primary"
          disabled={sending() || disabled() || text().trim() === ""}
          onClick={() => void send()}
        >
          {sending() ? "..." : "Send"}
        </button>
      </div>
      <Show when={error()}>
        <p role="alert" class="composer-error mt-1 text-sm text-red-600 dark:text-red-400">
          {error()}
        </p>
      </Show>
    </div>
  );
}
