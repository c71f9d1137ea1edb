import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { openConnection } from "../../src/broker/db.ts";
import { ackTask, sendUnicast } from "../../src/broker/tasks.ts";
import { REPLY_TO_BROADCAST } from "../../web/src/mentions.ts";
import { dayLabel, exactTime } from "../../web/src/timeline.ts";
import { type RunningServer, startServer } from "../server/serve.ts";
import { type Env, isolatedEnv, makeTempDir, ROOT } from "../support/cli.ts";
import { PrivateTmux } from "../support/tmux.ts";
import { seriousViolations } from "./axe.ts";
import { launchBrowser } from "./browser.ts";
import { cliSend, type Seeded, seedSession } from "./seed.ts";

/** The fleet console's page items that need nothing beyond the timeline API: Markdown, layout, ergonomics, a11y. */

const temp = makeTempDir("cafleet-console-");
const tmux = new PrivateTmux("console");
const SCREENS = join(ROOT, "test-artifacts/screens");
/** A browser step can wait on live events and reloads: more than bun's default 5 s. */
const SLOW = 20_000;
let env: Env;
let seeded: Seeded;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let db: Database;
let yesterdayIso = "";

const LONG_LINE = `const query = ${JSON.stringify("x".repeat(300))};`;
const MARKDOWN = [
  "Review of **PR #42**, see [the docs](https://example.com/docs):",
  "",
  "- `rebase` first",
  "- then fix the test",
  "",
  "```ts",
  "export function add(a: number, b: number): number {",
  "  return a + b; // sum",
  "}",
  LONG_LINE,
  "```",
].join("\n");

/** Every payload must end up as inert text or allow-listed markup (see sanitize.ts). */
const XSS = [
  `<script>window.__pwned=1</script>`,
  `**bold** <img src=x onerror="window.__pwned=2">`,
  `[click](javascript:window.__pwned=3)`,
  `[click](JAVASCRIPT:window.__pwned=4) *x*`,
  `[tab](jav&#x09;ascript:window.__pwned=5) and [ent](&#106;avascript:window.__pwned=5)`,
  `<svg onload="window.__pwned=6"><circle r="5"/></svg> *svg*`,
  `<a href="javascript:window.__pwned=7">raw link</a> _x_`,
  `![x](javascript:window.__pwned=8)`,
  `<javascript:window.__pwned=9> *auto*`,
  `[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  '```"><img src=x onerror=window.__pwned=10>\ncode\n```',
  `[t](https://example.com "t\\" onmouseover=\\"window.__pwned=11")`,
  `&lt;script&gt;window.__pwned=12&lt;/script&gt; **entity**`,
  `<iframe src="javascript:window.__pwned=13"></iframe> ~~x~~`,
  "`<b onmouseover=window.__pwned=14>code</b>`",
  `<style>body{display:none}</style> **style**`,
  `[vb](vbscript:msgbox(1)) <math><mi xlink:href="javascript:window.__pwned=15">m</mi></math> *m*`,
];
const ALLOWED_TAGS = new Set(
  "A BLOCKQUOTE BR BUTTON CODE DEL DIV EM H1 H2 H3 H4 H5 H6 HR LI OL P PRE S SPAN STRONG TABLE TBODY TD TH THEAD TR UL".split(
    " ",
  ),
);

beforeAll(async () => {
  const pane = tmux.start();
  env = { ...isolatedEnv(temp.dir), ...tmux.envFor(pane) };
  seeded = seedSession(env);
  const writer = openConnection(join(temp.dir, "cafleet.db"));
  const send = (from: string, to: string, text: string) =>
    sendUnicast(writer, { sessionId: seeded.sessionId, fromAgentId: from, toAgentId: to, text }).id;
  // A day back, at noon: always on the previous local day.
  const noon = new Date();
  noon.setDate(noon.getDate() - 1);
  noon.setHours(12, 0, 0, 0);
  yesterdayIso = `${noon.toISOString().slice(0, 23)}000+00:00`;
  const old = send(seeded.directorId, seeded.claudeId, "Yesterday's plan: ship it");
  writer
    .query("UPDATE tasks SET created_at = ?1, status_timestamp = ?1 WHERE task_id = ?2")
    .run(yesterdayIso, old);
  send(seeded.claudeId, seeded.reviewerId, "First of two in a row");
  send(seeded.claudeId, seeded.reviewerId, "Second of two in a row");
  send(seeded.reviewerId, seeded.claudeId, MARKDOWN);
  for (const payload of XSS) send(seeded.reviewerId, seeded.claudeId, payload);
  writer.close();
  server = await startServer(env);
  db = new Database(join(temp.dir, "cafleet.db"), { readonly: true });
  browser = await launchBrowser();
  context = browser.context;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.base });
  page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.close();
  tmux.kill();
  temp.cleanup();
}, 60_000);

const entryWithBody = (body: string) =>
  page.locator("li.entry", { has: page.locator(".body", { hasText: body }) });

/** A fresh load of the session view (a goto to the same hash alone would not reload). */
async function openSession(target: Page = page): Promise<void> {
  await target.goto("about:blank");
  await target.goto(`${server.base}/ui/#/sessions/${seeded.sessionId}/agents`);
  await target.locator("li.entry").first().waitFor();
}

describe("Markdown bodies", () => {
  it(
    "renders a code block in monospace with colours, a copy button and its own scroll",
    async () => {
      await openSession();
      const entry = entryWithBody("Review of");
      await entry.waitFor();
      const body = entry.locator("div.body.markdown");
      expect(await body.locator("strong").textContent()).toBe("PR #42");
      expect(await body.locator("li").allTextContents()).toEqual(["rebase first", "then fix the test"]);
      const link = body.locator("a");
      expect(
        await link.evaluate((a) => [a.getAttribute("href"), a.getAttribute("target"), a.getAttribute("rel")]),
      ).toEqual(["https://example.com/docs", "_blank", "noopener noreferrer"]);
      const code = body.locator(".code-block pre code");
      expect(await code.evaluate((element) => getComputedStyle(element).fontFamily)).toContain("monospace");
      const keyword = body.locator(".hljs-keyword").first();
      expect(await keyword.textContent()).toBe("export");
      const [keywordColour, plainColour] = await code.evaluate((element) => [
        getComputedStyle(element.querySelector(".hljs-keyword")!).color,
        getComputedStyle(element).color,
      ]);
      expect(keywordColour).not.toBe(plainColour);
      expect(await body.locator(".hljs-comment").textContent()).toBe("// sum");
      // The 300-character line scrolls inside the block; the entry stays as wide as the timeline.
      const widths = await entry.evaluate((li) => {
        const pre = li.querySelector("pre")!;
        const timeline = document.querySelector(".timeline")!;
        return {
          preScroll: pre.scrollWidth,
          preClient: pre.clientWidth,
          entry: li.getBoundingClientRect().width,
          timeline: timeline.clientWidth,
          overflow: getComputedStyle(pre).overflowX,
        };
      });
      expect(widths.overflow).toBe("auto");
      expect(widths.preScroll).toBeGreaterThan(widths.preClient * 2);
      expect(widths.entry).toBeLessThanOrEqual(widths.timeline);
      const copy = body.getByRole("button", { name: "Copy" });
      await copy.click();
      await body.getByRole("button", { name: "Copied" }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toBe(
        `export function add(a: number, b: number): number {\n  return a + b; // sum\n}\n${LONG_LINE}\n`,
      );
      // Plain prose keeps its old shape: a text paragraph.
      expect(await entryWithBody("First of two in a row").locator("p.body").textContent()).toBe(
        "First of two in a row",
      );
      await entry.scrollIntoViewIfNeeded();
      await entry.screenshot({ path: join(SCREENS, "markdown-code-block.png") });
    },
    SLOW,
  );

  it(
    "renders the XSS corpus inert: allow-listed elements only, no handlers, no script links",
    async () => {
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await openSession();
      await entryWithBody("Yesterday's plan").waitFor();
      const bodies = page.locator("li.entry .body");
      const found = await bodies.evaluateAll(
        (elements, allowed) => {
          const bad: string[] = [];
          for (const body of elements)
            for (const element of body.querySelectorAll("*")) {
              if (!allowed.includes(element.tagName)) bad.push(`tag ${element.tagName}`);
              for (const attribute of element.attributes) {
                const focusablePre =
                  element.tagName === "PRE" && attribute.name === "tabindex" && attribute.value === "0";
                if (
                  !["href", "target", "rel", "class", "type", "start"].includes(attribute.name) &&
                  !focusablePre
                )
                  bad.push(`attribute ${attribute.name} on ${element.tagName}`);
                if (attribute.name === "href" && !/^(https?:|mailto:)/i.test(attribute.value))
                  bad.push(`href ${attribute.value}`);
              }
              // Fire whatever handler could have been attached.
              for (const type of ["mouseover", "focus", "load", "error"])
                element.dispatchEvent(new Event(type, { bubbles: true }));
            }
          return { bad, count: elements.length };
        },
        [...ALLOWED_TAGS],
      );
      expect(found.bad).toEqual([]);
      expect(
        await page
          .locator(
            ".timeline script, .timeline img, .timeline svg, .timeline iframe, .timeline style, .timeline math",
          )
          .count(),
      ).toBe(0);
      // Plain payloads are shown verbatim as text; Markdown ones keep the raw HTML as visible text.
      expect(await entryWithBody("<script>window.__pwned=1</script>").locator("p.body").textContent()).toBe(
        XSS[0]!,
      );
      expect((await entryWithBody("bold").locator(".body").textContent())?.trim()).toBe(
        `bold <img src=x onerror="window.__pwned=2">`,
      );
      expect((await entryWithBody("raw link").locator(".body").textContent())?.trim()).toBe(
        `<a href="javascript:window.__pwned=7">raw link</a> x`,
      );
      // javascript:, data: and vbscript: targets never become links.
      const hrefs = await page
        .locator(".timeline .body a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href")));
      expect(hrefs.filter((href) => !/^https:\/\/example\.com/.test(href ?? ""))).toEqual([]);
      await page.locator(".timeline .body a").first().hover();
      await Bun.sleep(200);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(await page.locator("body").isVisible()).toBe(true);
    },
    SLOW,
  );
});

describe("live events and rendered Markdown", () => {
  it(
    "keeps the DOM of unchanged entries (no Markdown re-render) when a live event arrives",
    async () => {
      await openSession();
      const tagged = await page.locator("li.entry .body").evaluateAll((bodies) => {
        for (const body of bodies) (body as unknown as { kept: boolean }).kept = true;
        return bodies.length;
      });
      expect(tagged).toBeGreaterThan(XSS.length);
      const marker = `live markdown **${crypto.randomUUID().slice(0, 6)}**`;
      cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, marker);
      await entryWithBody("live markdown").waitFor();
      const kept = await page
        .locator("li.entry .body")
        .evaluateAll(
          (bodies) => bodies.filter((body) => (body as unknown as { kept?: boolean }).kept).length,
        );
      expect(kept).toBe(tagged);
    },
    SLOW,
  );
});

describe("responsive layout, light and dark", () => {
  for (const width of [390, 768, 1280])
    it(
      `is usable at ${width} px: the timeline and the composer keep their width, the sidebar is a drawer below 1024 px`,
      async () => {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        await openSession();
        const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
        const sidebar = page.locator("aside.sidebar");
        const toggle = page.getByRole("button", { name: "☰ Agents" });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        if (width < 1024) {
          expect(await sidebar.isVisible()).toBe(false);
          expect(await toggle.getAttribute("aria-expanded")).toBe("false");
          expect((await box(".timeline")).width).toBeGreaterThanOrEqual(width * 0.9);
          expect((await box(".composer")).width).toBe(width);
          await toggle.click();
          await sidebar.waitFor({ state: "visible" });
          expect(await toggle.getAttribute("aria-expanded")).toBe("true");
          expect(
            await page.evaluate(
              () => document.activeElement?.closest(".agent-row")?.querySelector(".agent-name")?.textContent,
            ),
          ).toBe("Director");
          expect(await sidebar.locator(".agent-name").allTextContents()).toEqual([
            "Director",
            "Administrator",
            "Claude-A",
            "reviewer-bot",
          ]);
          const drawer = await box("aside.sidebar");
          expect([drawer.x, drawer.width]).toEqual([0, 288]);
          await page.emulateMedia({ colorScheme: "dark" });
          await page.screenshot({ path: join(SCREENS, `drawer-${width}-dark.png`) });
          await page.emulateMedia({ colorScheme: "light" });
          await page.keyboard.press("Escape");
          await sidebar.waitFor({ state: "hidden" });
          expect(await toggle.evaluate((button) => document.activeElement === button)).toBe(true);
        } else {
          expect(await sidebar.isVisible()).toBe(true);
          expect(await toggle.isVisible()).toBe(false);
          const aside = await box("aside.sidebar");
          expect((await box(".timeline")).width).toBe(width - aside.width);
          expect((await box(".composer")).width).toBe(width - aside.width);
        }
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(background).toBe(scheme === "dark" ? "rgb(17, 24, 39)" : "rgb(243, 244, 246)");
          await page.screenshot({ path: join(SCREENS, `session-${width}-${scheme}.png`) });
        }
        await page.emulateMedia({ colorScheme: "light" });
      },
      SLOW,
    );

  it(
    "puts the page back at 1280 px",
    async () => {
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(page.viewportSize()).toEqual({ width: 1280, height: 800 });
    },
    SLOW,
  );
});

describe("timeline ergonomics", () => {
  it(
    "separates days, groups one sender's run and shows relative times with the exact time on hover",
    async () => {
      await openSession();
      const items = await page
        .locator(".timeline ul > li")
        .evaluateAll((elements) =>
          elements.map((li) =>
            li.classList.contains("day-separator")
              ? `day ${li.textContent}`
              : li.classList.contains("unread-divider")
                ? "unread"
                : `entry ${li.querySelector(".body")?.textContent?.slice(0, 22)} ${li.getAttribute("data-grouped")}`,
          ),
        );
      expect(items.slice(0, 5)).toEqual([
        `day ${dayLabel(yesterdayIso, Date.now())}`,
        "entry Yesterday's plan: ship false",
        "day Today",
        "entry First of two in a row false",
        "entry Second of two in a row true",
      ]);
      expect(dayLabel(yesterdayIso, Date.now())).toBe("Yesterday");
      const second = entryWithBody("Second of two in a row");
      // The grouped entry keeps its sender for screen readers, but shows no header.
      expect(await second.locator(".sender").textContent()).toBe("Claude-A");
      expect(
        await second.locator(".sender").evaluate((span) => span.getBoundingClientRect().width),
      ).toBeLessThanOrEqual(1);
      expect(await second.locator("time").textContent()).toMatch(/^\d\d:\d\d$/);
      expect(await second.locator(".relative-time").textContent()).toMatch(/^(just now|\d+ min ago)$/);
      const old = entryWithBody("Yesterday's plan");
      expect(await old.locator(".relative-time").textContent()).toMatch(/^(\d+ h ago|1 d ago)$/);
      expect(await old.locator(".entry-time").getAttribute("title")).toBe(exactTime(yesterdayIso));
      expect(exactTime(yesterdayIso)).toMatch(/^[A-Z][a-z]+day \d{4}-\d\d-\d\d 12:00:00$/);
      expect(await old.locator("time").getAttribute("datetime")).toBe(yesterdayIso);
    },
    SLOW,
  );

  it(
    "offers 'Jump to newest' when scrolled up, and does not pull the reader down",
    async () => {
      const writer = openConnection(join(temp.dir, "cafleet.db"));
      for (let index = 0; index < 60; index++)
        sendUnicast(writer, {
          sessionId: seeded.sessionId,
          fromAgentId: seeded.claudeId,
          toAgentId: seeded.reviewerId,
          text: `filler ${index}`,
        });
      writer.close();
      await openSession();
      await page.waitForFunction(() => {
        const timeline = document.querySelector(".timeline")!;
        return timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 2;
      });
      const jump = page.getByRole("button", { name: "Jump to newest ↓" });
      expect(await jump.count()).toBe(0);
      await page.locator(".timeline").evaluate((timeline) => {
        timeline.scrollTop = 0;
      });
      await jump.waitFor();
      const marker = `arrives while scrolled up ${crypto.randomUUID().slice(0, 6)}`;
      cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, marker);
      await entryWithBody(marker).waitFor({ state: "attached" });
      await Bun.sleep(100);
      expect(await page.locator(".timeline").evaluate((timeline) => timeline.scrollTop)).toBe(0);
      await jump.click();
      await page.waitForFunction(() => {
        const timeline = document.querySelector(".timeline")!;
        return timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 2;
      });
      await jump.waitFor({ state: "detached" });
      expect(await entryWithBody(marker).isVisible()).toBe(true);
    },
    SLOW,
  );

  it(
    "marks where the unread messages start when the session is opened again",
    async () => {
      await openSession();
      await page.waitForFunction(() =>
        Object.keys(localStorage).some((key) => key.startsWith("cafleet.seen.")),
      );
      await page.getByRole("button", { name: "Back to Sessions" }).click();
      await page.getByText("Select a Session").waitFor();
      const first = `unread one ${crypto.randomUUID().slice(0, 6)}`;
      cliSend(env, seeded, seeded.reviewerId, seeded.claudeId, first);
      cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, "unread two");
      await page.locator(`button[data-session-id="${seeded.sessionId}"]`).click();
      const divider = page.locator("li.unread-divider");
      await divider.waitFor();
      expect(await divider.textContent()).toBe("New messages");
      expect(await divider.evaluate((li) => li.nextElementSibling?.querySelector(".body")?.textContent)).toBe(
        first,
      );
      // Read once at the bottom, the next opening shows no divider.
      await page.reload();
      await page.locator("li.entry").first().waitFor();
      expect(await divider.count()).toBe(0);
    },
    SLOW,
  );
});

describe("replies", () => {
  it(
    "replies to a message from the composer (reply_to) and shows the answer threaded under it",
    async () => {
      const question = cliSend(env, seeded, seeded.claudeId, seeded.administratorId, "Can I merge PR 7?");
      await openSession();
      const parent = page.locator(`li.entry[data-entry-key="${question}"]`);
      await parent.getByRole("button", { name: "Reply to Claude-A" }).click();
      const draft = page.locator(".reply-draft");
      expect(await draft.textContent()).toBe("↪ reply to Claude-A: Can I merge PR 7?✕");
      const input = page.getByRole("combobox", { name: "Message" });
      expect(await input.inputValue()).toBe("@claude-a ");
      expect(await input.evaluate((element) => document.activeElement === element)).toBe(true);
      await input.fill("@all yes");
      await input.press("Enter");
      expect(await page.getByRole("alert").textContent()).toBe(REPLY_TO_BROADCAST);
      await input.fill("@claude-a yes, **merge** it");
      await input.press("Enter");
      const answer = entryWithBody("yes, merge it");
      await answer.waitFor();
      await draft.waitFor({ state: "detached" });
      expect(await answer.getAttribute("data-reply-to")).toBe(question);
      expect(await answer.locator(".reply-to").textContent()).toBe("↪ reply to Claude-A: Can I merge PR 7?");
      expect(await answer.locator(".body strong").textContent()).toBe("merge");
      const row = db
        .query("SELECT from_agent_id, context_id, reply_to_task_id FROM tasks ORDER BY rowid DESC LIMIT 1")
        .get();
      expect(row).toEqual({
        from_agent_id: seeded.administratorId,
        context_id: seeded.claudeId,
        reply_to_task_id: question,
      });
      // The thread line leads back to the question.
      await page.locator(".timeline").evaluate((timeline) => {
        timeline.scrollTop = 0;
      });
      await answer.locator(".reply-to").click();
      await parent.waitFor({ state: "visible" });
      expect(await parent.evaluate((li) => li.classList.contains("flash"))).toBe(true);
    },
    SLOW,
  );

  it(
    "cancels a reply with Escape or its ✕",
    async () => {
      const entry = entryWithBody("Can I merge PR 7?");
      await entry.getByRole("button", { name: "Reply to Claude-A" }).click();
      const draft = page.locator(".reply-draft");
      await draft.waitFor();
      await page.getByRole("combobox", { name: "Message" }).press("Escape");
      await draft.waitFor({ state: "detached" });
      await entry.getByRole("button", { name: "Reply to Claude-A" }).click();
      await page.getByRole("button", { name: "Cancel reply" }).click();
      await draft.waitFor({ state: "detached" });
      await page.getByRole("combobox", { name: "Message" }).fill("");
    },
    SLOW,
  );
});

describe("search", () => {
  it(
    "finds messages newest first with marked snippets, and a click shows the hit in the timeline",
    async () => {
      const older = cliSend(
        env,
        seeded,
        seeded.claudeId,
        seeded.reviewerId,
        "the flaky login test fails on CI again",
      );
      await Bun.sleep(5);
      const newer = cliSend(
        env,
        seeded,
        seeded.reviewerId,
        seeded.claudeId,
        "Flaky <b>login</b> fixed by retrying",
      );
      await openSession();
      const search = page.getByRole("searchbox", { name: "Search messages" });
      await search.fill("flaky login");
      const hits = page.locator("button.search-hit");
      await page.getByText("2 results for “flaky login”").waitFor();
      expect(
        await hits.evaluateAll((buttons) => buttons.map((button) => button.getAttribute("data-task-id"))),
      ).toEqual([newer, older]);
      // Matched terms are <mark> text; the body's own markup stays text.
      expect(await hits.first().locator(".search-snippet").textContent()).toBe(
        "Flaky <b>login</b> fixed by retrying",
      );
      expect(await hits.first().locator("mark").allTextContents()).toEqual(["Flaky", "login"]);
      expect(await hits.first().locator(".search-snippet b").count()).toBe(0);
      expect(await hits.nth(1).locator("mark").allTextContents()).toEqual(["flaky", "login"]);
      await page.screenshot({ path: join(SCREENS, "search-results.png") });
      expect(await seriousViolations(page)).toEqual([]);
      expect(await page.locator(".timeline").isVisible()).toBe(false);
      await hits.nth(1).click();
      const shown = page.locator(`li.entry[data-entry-key="${older}"]`);
      await shown.waitFor({ state: "visible" });
      expect(await shown.evaluate((li) => li.classList.contains("flash"))).toBe(true);
      const [top, bottom, viewTop, viewBottom] = await shown.evaluate((li) => {
        const box = li.getBoundingClientRect();
        const view = document.querySelector(".timeline")!.getBoundingClientRect();
        return [box.top, box.bottom, view.top, view.bottom];
      });
      expect(top).toBeGreaterThanOrEqual(viewTop);
      expect(bottom).toBeLessThanOrEqual(viewBottom);
      expect(await page.locator("button.search-hit").count()).toBe(0);
    },
    SLOW,
  );

  it(
    "says when nothing matches, and gives the timeline back when the query is cleared",
    async () => {
      const search = page.getByRole("searchbox", { name: "Search messages" });
      await search.fill("zzzz-no-such-word");
      await page.getByText("0 results for “zzzz-no-such-word”").waitFor();
      await search.fill("");
      expect(await page.locator(".search-results").count()).toBe(0);
      expect(await page.locator(".timeline").isVisible()).toBe(true);
    },
    SLOW,
  );
});

describe("accessibility", () => {
  it(
    "labels the composer, runs the mention list as a combobox and announces errors",
    async () => {
      await openSession();
      const input = page.getByRole("combobox", { name: "Message" });
      expect(await input.getAttribute("aria-expanded")).toBe("false");
      expect(await input.getAttribute("aria-activedescendant")).toBeNull();
      await input.click();
      await input.pressSequentially("@");
      await page.getByRole("listbox", { name: "Mention suggestions" }).waitFor();
      expect(await input.getAttribute("aria-expanded")).toBe("true");
      expect(await input.getAttribute("aria-controls")).toBe("mention-listbox");
      expect(await input.getAttribute("aria-activedescendant")).toBe("mention-option-0");
      await input.press("ArrowDown");
      expect(await input.getAttribute("aria-activedescendant")).toBe("mention-option-1");
      expect(await page.locator("#mention-option-1").getAttribute("aria-selected")).toBe("true");
      expect(await page.locator("#mention-option-1 span").first().textContent()).toBe("@claude-a");
      await input.press("Escape");
      expect(await input.getAttribute("aria-expanded")).toBe("false");
      await input.fill("no mention here");
      await input.press("Enter");
      expect(await page.getByRole("alert").textContent()).toBe("Start the message with @<agent> or @all");
      await input.fill("");
    },
    SLOW,
  );

  it(
    "opens ACK details from the keyboard, without hover",
    async () => {
      const entry = entryWithBody("First of two in a row");
      const taskId = await entry.getAttribute("data-entry-key");
      const writer = openConnection(join(temp.dir, "cafleet.db"));
      ackTask(writer, { sessionId: seeded.sessionId, agentId: seeded.reviewerId, taskId: taskId! });
      writer.close();
      const ack = entry.getByRole("button", { name: "[ack]" });
      await ack.waitFor();
      const tooltip = entry.getByRole("tooltip");
      expect(await tooltip.isVisible()).toBe(false);
      await ack.focus();
      await tooltip.waitFor({ state: "visible" });
      expect(await ack.getAttribute("aria-describedby")).toBe(await tooltip.getAttribute("id"));
      expect(await tooltip.textContent()).toMatch(/^@reviewer-bot — \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    },
    SLOW,
  );

  // One test per scheme: each scan of a full timeline takes seconds on a loaded machine.
  for (const scheme of ["light", "dark"] as const)
    it(
      `has no serious or critical axe violations on the picker and the timeline, ${scheme}`,
      async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${server.base}/ui/#/sessions`);
        await page.getByText("Select a Session").waitFor();
        await page.locator("button.session-row").first().waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await openSession();
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: "light" });
      },
      SLOW,
    );
});
