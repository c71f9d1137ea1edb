import { CafleetError } from "../errors.ts";
import { menuOptions } from "../repl/screen.ts";
import { type PaneRef, pressKeys, readPaneView, requireTypeable, typeText } from "../tmux/pane.ts";

/**
 * Answers a member's question (send-input, tmux.md §8 and §10). A choice is its digit. Free
 * text first picks the question's "Type something" row by the number the screen shows for it
 * (with two options it is 3, not 4), then types the text and submits it; nothing is pressed
 * when the screen shows no such row or the text cannot fit one tmux command.
 */

export type Answer = { action: "choice"; value: string } | { action: "freetext"; value: string };

/** The free-text row must be on screen before its text is typed into it. */
const ROW_OPEN_MS = 200;

export async function typeAnswer(pane: PaneRef, answer: Answer): Promise<void> {
  if (answer.action === "choice") {
    await pressKeys(pane, [answer.value]);
    return;
  }
  requireTypeable(pane, answer.value);
  const view = await readPaneView(pane);
  const row = menuOptions(view.screen).find((option) => /^Type something/i.test(option.label));
  if (!row)
    throw new CafleetError(
      `pane ${pane.id} shows no question with a "Type something" row, so no key was pressed. Look with \`cafleet member capture\`; answer a plain prompt with --choice`,
    );
  await pressKeys(pane, [String(row.number)]);
  await Bun.sleep(ROW_OPEN_MS);
  await typeText(pane, answer.value);
  await pressKeys(pane, ["Enter"]);
}
