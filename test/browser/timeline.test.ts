import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { openConnection } from "../../src/broker/db.ts";
import { recordFetched, recordNudged, recordPushFailed } from "../../src/broker/delivery.ts";
import { ackTask, sendUnicast } from "../../src/broker/tasks.ts";
import { type RunningServer, startServer } from "../server/serve.ts";
import { type Env, isolatedEnv, makeTempDir, ROOT, runCafleet } from "../support/cli.ts";
import { PrivateTmux } from "../support/tmux.ts";
import { launchBrowser } from "./browser.ts";
import { cliAck, cliBroadcast, cliCancel, cliSend, type Seeded, seedSession } from "./seed.ts";

const temp = makeTempDir("cafleet-browser-");
const tmux = new PrivateTmux("browser");
let env: Env;
let seeded: Seeded;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let db: Database;
let broadcastId = "";

beforeAll(async () => {
  const pane = tmux.start();
  env = { ...isolatedEnv(temp.dir), ...tmux.envFor(pane) };
  seeded = seedSession(env);
  cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, "Please review PR #42\nsecond line");
  broadcastId = cliBroadcast(env, seeded, seeded.directorId, "Stand-up in 5 minutes");
  const canceled = cliSend(env, seeded, seeded.reviewerId, seeded.claudeId, "never mind");
  cliCancel(env, seeded, seeded.reviewerId, canceled);
  server = await startServer(env);
  db = new Database(join(temp.dir, "cafleet.db"), { readonly: true });
  const reviewerDelivery = db
    .query("SELECT task_id FROM tasks WHERE origin_task_id = ? AND context_id = ?")
    .get(broadcastId, seeded.reviewerId) as { task_id: string };
  cliAck(env, seeded, seeded.reviewerId, reviewerDelivery.task_id);
  browser = await launchBrowser();
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.close();
  tmux.kill();
  temp.cleanup();
}, 60_000);

const textarea = () => page.locator("textarea");
const entries = () => page.locator("li.entry");
const entryWithBody = (body: string) =>
  page.locator("li.entry", { has: page.locator("p.body", { hasText: body }) });

function taskCount(): number {
  return (db.query("SELECT COUNT(*) AS n FROM tasks").get() as { n: number }).n;
}

describe("the session picker", () => {
  it("lists the session and opens it", async () => {
    await page.goto(`${server.base}/ui/`);
    await page.getByText("CAFleet — Sessions").waitFor();
    await page.getByText("Select a Session").waitFor();
    const row = page.locator(`button[data-session-id="${seeded.sessionId}"]`);
    await expect(row.textContent()).resolves.toMatch(
      new RegExp(`^${seeded.sessionId.slice(0, 8)}demo4 agents \\| Created \\S+→$`),
    );
    await row.click();
    await page.getByText(`CAFleet — ${seeded.sessionId.slice(0, 8)}`).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/sessions/${seeded.sessionId}/agents`);
    await page.getByText("Sending as Administrator").waitFor();
  });
});

describe("the session view", () => {
  it("lists active agents in the sidebar by registration", async () => {
    const names = await page.locator('[data-group="Active"] li .agent-name').allTextContents();
    expect(names).toEqual(["Director", "Administrator", "Claude-A", "reviewer-bot"]);
    expect(await page.locator('[data-group="Deregistered"]').count()).toBe(0);
  });

  it("shows unicasts and a broadcast once with one chip per recipient, oldest first", async () => {
    await entries().first().waitFor();
    const rows = await entries().evaluateAll((items) =>
      items.map((item) => ({
        kind: item.getAttribute("data-kind"),
        sender: item.querySelector(".sender")?.textContent,
        chips: [...item.querySelectorAll(".mention")].map((chip) => chip.textContent),
        body: item.querySelector("p.body")?.textContent,
        struck: item.querySelector("p.body")?.classList.contains("line-through"),
        time: item.querySelector("time")?.textContent,
      })),
    );
    expect(rows.map(({ time, ...rest }) => rest)).toEqual([
      {
        kind: "unicast",
        sender: "Claude-A",
        chips: ["@reviewer-bot"],
        body: "Please review PR #42\nsecond line",
        struck: false,
      },
      {
        kind: "broadcast",
        sender: "Director",
        // API order (newest status first): reviewer-bot's ACK is the latest change.
        chips: ["@reviewer-bot", "@Claude-A"],
        body: "Stand-up in 5 minutes",
        struck: false,
      },
      { kind: "unicast", sender: "reviewer-bot", chips: ["@Claude-A"], body: "never mind", struck: true },
    ]);
    for (const row of rows) expect(row.time).toMatch(/^\d\d:\d\d$/);
    // Newlines are kept on screen, not folded into one line.
    const height = await entryWithBody("Please review")
      .locator("p.body")
      .evaluate((p) => p.getBoundingClientRect().height);
    const single = await entryWithBody("Stand-up")
      .locator("p.body")
      .evaluate((p) => p.getBoundingClientRect().height);
    expect(height).toBeGreaterThan(single * 1.5);
  });

  it("shows an ACK chip whose hover tooltip names the agent and the ACK time", async () => {
    const broadcast = entryWithBody("Stand-up in 5 minutes");
    expect(await broadcast.locator(".ack").count()).toBe(1);
    expect(await entryWithBody("never mind").locator(".ack").count()).toBe(0);
    const tooltip = broadcast.locator(".ack-tooltip");
    expect(await tooltip.isVisible()).toBe(false);
    await broadcast.locator(".ack").hover();
    await tooltip.waitFor({ state: "visible" });
    const acked = db
      .query("SELECT status_timestamp FROM tasks WHERE origin_task_id = ? AND context_id = ?")
      .get(broadcastId, seeded.reviewerId) as { status_timestamp: string };
    expect(await tooltip.textContent()).toBe(
      `@reviewer-bot — ${new Date(acked.status_timestamp).toISOString()}`,
    );
  });
});

describe("the composer", () => {
  it("explains what is wrong with a message and keeps the text", async () => {
    await textarea().fill("hello there");
    await textarea().press("Enter");
    await page.locator(".composer-error").waitFor();
    expect(await page.locator(".composer-error").textContent()).toBe(
      "Start the message with @<agent> or @all",
    );
    expect(await textarea().inputValue()).toBe("hello there");
    await textarea().pressSequentially("!");
    expect(await page.locator(".composer-error").count()).toBe(0);
    for (const [text, error] of [
      ["@all @Claude-A hi", "@all cannot be combined with other mentions"],
      ["@nobody hi", "No active agent named '@nobody'"],
      ["@claude-a   ", "Message body is empty"],
      [
        "@claude-a @reviewer-bot hi",
        "Multi-recipient unicast not supported in first cut; use @all for broadcast",
      ],
    ]) {
      await textarea().fill(text!);
      await textarea().press("Enter");
      expect(await page.locator(".composer-error").textContent()).toBe(error!);
    }
    await textarea().fill("");
  });

  it("autocompletes @ mentions with the keyboard and sends @name with newlines kept", async () => {
    const before = taskCount();
    await textarea().click();
    await textarea().pressSequentially("@");
    const options = page.locator(".mention-option");
    await options.first().waitFor();
    const rows = () =>
      options.evaluateAll((items) =>
        items.map((item) => [...item.querySelectorAll("span")].map((span) => span.textContent)),
      );
    expect(await rows()).toEqual([
      ["@all", "all"],
      ["@claude-a", "Claude-A"],
      ["@director", "Director"],
      ["@reviewer-bot", "reviewer-bot"],
    ]);
    for (let step = 0; step < 4; step++) await textarea().press("ArrowDown");
    expect(await page.locator('.mention-option[aria-selected="true"] span').first().textContent()).toBe(
      "@reviewer-bot",
    );
    await textarea().press("ArrowUp");
    await textarea().press("ArrowUp");
    await textarea().press("ArrowUp");
    await textarea().press("ArrowUp");
    expect(await page.locator('.mention-option[aria-selected="true"] span').first().textContent()).toBe(
      "@all",
    );
    await textarea().pressSequentially("r");
    expect(await rows()).toEqual([["@reviewer-bot", "reviewer-bot"]]);
    await textarea().press("Tab");
    expect(await textarea().inputValue()).toBe("@reviewer-bot ");
    expect(await options.count()).toBe(0);
    await textarea().pressSequentially("first line");
    await textarea().press("Shift+Enter");
    await textarea().pressSequentially("second <b>line</b>");
    expect(await textarea().inputValue()).toBe("@reviewer-bot first line\nsecond <b>line</b>");
    await textarea().press("Enter");
    await entryWithBody("second <b>line</b>").waitFor();
    expect(await textarea().inputValue()).toBe("");
    expect(taskCount()).toBe(before + 1);
    const row = db
      .query("SELECT from_agent_id, context_id, task_json FROM tasks ORDER BY rowid DESC LIMIT 1")
      .get() as { from_agent_id: string; context_id: string; task_json: string };
    expect([row.from_agent_id, row.context_id]).toEqual([seeded.administratorId, seeded.reviewerId]);
    expect(JSON.parse(row.task_json).artifacts[0].parts[0].text).toBe("first line\nsecond <b>line</b>");
  });

  it("closes the popover on Escape and on blur, and inserts a clicked row keeping focus", async () => {
    const options = page.locator(".mention-option");
    await textarea().fill("");
    await textarea().pressSequentially("hi @");
    await options.first().waitFor();
    await textarea().press("Escape");
    expect(await options.count()).toBe(0);
    await textarea().pressSequentially("c");
    await options.first().waitFor();
    await options.filter({ hasText: "Claude-A" }).click();
    expect(await textarea().inputValue()).toBe("hi @claude-a ");
    expect(await textarea().evaluate((element) => document.activeElement === element)).toBe(true);
    await textarea().pressSequentially("@d");
    await options.first().waitFor();
    await page.locator("header h1").click();
    await options.first().waitFor({ state: "detached" });
    await textarea().fill("");
  });

  it("sends @all as a broadcast to every non-Administrator agent", async () => {
    await textarea().fill("@all please rebase");
    await page.getByRole("button", { name: "Send" }).click();
    const entry = entryWithBody("please rebase");
    await entry.waitFor();
    // The live feed can show the entry before the POST returns; the composer clears on its answer.
    await page.waitForFunction(() => document.querySelector("textarea")?.value === "");
    expect(await entry.locator(".mention").allTextContents()).toEqual([
      "@reviewer-bot",
      "@Claude-A",
      "@Director",
    ]);
    const summary = db
      .query(
        "SELECT from_agent_id, task_json FROM tasks WHERE type = 'broadcast_summary' ORDER BY rowid DESC LIMIT 1",
      )
      .get() as { from_agent_id: string; task_json: string };
    expect(summary.from_agent_id).toBe(seeded.administratorId);
    expect(JSON.parse(summary.task_json).metadata.recipientCount).toBe(3);
  });

  it("never sends while an IME composition is active", async () => {
    const before = taskCount();
    await textarea().fill("@claude-a 変換中");
    await textarea().evaluate((element) => {
      element.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
      element.dispatchEvent(
        new KeyboardEvent("keydown", {
          key: "Enter",
          code: "Enter",
          isComposing: true,
          bubbles: true,
          cancelable: true,
        }),
      );
      element.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true }));
      element.dispatchEvent(
        new KeyboardEvent("keydown", {
          key: "Enter",
          code: "Enter",
          isComposing: true,
          bubbles: true,
          cancelable: true,
        }),
      );
    });
    await Bun.sleep(500);
    expect(taskCount()).toBe(before);
    expect(await textarea().inputValue()).toBe("@claude-a 変換中");
    await textarea().fill("");
  });
});

describe("live updates", () => {
  it("shows a CLI send without a reload, within a second", async () => {
    const marker = `live ${crypto.randomUUID().slice(0, 8)}`;
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));
    cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, marker);
    const sent = performance.now();
    await entryWithBody(marker).waitFor({ timeout: 5000 });
    const elapsed = performance.now() - sent;
    expect(navigations).toEqual([]);
    expect(elapsed).toBeLessThan(1000);
    // The ACK made by the recipient's CLI appears in place too.
    const taskId = (
      db.query("SELECT task_id FROM tasks WHERE task_json LIKE ?").get(`%${marker}%`) as { task_id: string }
    ).task_id;
    cliAck(env, seeded, seeded.reviewerId, taskId);
    await entryWithBody(marker).locator(".ack").waitFor({ timeout: 5000 });
  });

  it("adds a newly registered agent to the sidebar", async () => {
    const result = Bun.spawnSync(
      [
        join(ROOT, "dist/cafleet"),
        "--session-id",
        seeded.sessionId,
        "register",
        "--name",
        "late-joiner",
        "--description",
        "d",
      ],
      { env: env as Record<string, string> },
    );
    expect(result.exitCode).toBe(0);
    await page.locator('[data-group="Active"] li', { hasText: "late-joiner" }).waitFor({ timeout: 5000 });
  });

  it("refetches and reconnects after the server comes back", async () => {
    const port = server.port;
    expect(await server.stop()).toBe(0);
    const marker = `while down ${crypto.randomUUID().slice(0, 8)}`;
    cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, marker);
    server = await startServer(env, ["--port", String(port)]);
    await entryWithBody(marker).waitFor({ timeout: 15_000 });
    const after = `after restart ${crypto.randomUUID().slice(0, 8)}`;
    cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, after);
    await entryWithBody(after).waitFor({ timeout: 5000 });
  });

  it("renders markup in a body as text and creates no element", async () => {
    const body = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, body);
    const entry = entryWithBody("<img src=x");
    await entry.waitFor({ timeout: 5000 });
    expect(await entry.locator("p.body").textContent()).toBe(body);
    expect(await page.locator(".timeline img, .timeline script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});

describe("sessions without an Administrator, and no sessions at all", () => {
  it("disables sending with the spec's banner and placeholder", async () => {
    const created = JSON.parse(runCafleet(["session", "create", "--json"], env).stdout);
    const writer = new Database(join(temp.dir, "cafleet.db"));
    writer.run("PRAGMA busy_timeout = 5000");
    writer
      .query("UPDATE agents SET status = 'deregistered' WHERE agent_id = ?")
      .run(created.administrator_agent_id);
    writer.close();
    await page.getByRole("button", { name: "Back to Sessions" }).click();
    await page.locator(`button[data-session-id="${created.session_id}"]`).click();
    await page.getByText("This session has no Administrator agent. Send is disabled.").waitFor();
    expect(await page.getByText("Sending as Administrator").count()).toBe(0);
    expect(await textarea().isDisabled()).toBe(true);
    expect(await textarea().getAttribute("placeholder")).toBe(
      "Administrator unavailable — messaging disabled",
    );
    expect(await page.getByText("No messages yet").count()).toBe(1);
    await page.goBack();
    await page.goBack();
    await page.getByText(`CAFleet — ${seeded.sessionId.slice(0, 8)}`).waitFor();
    expect(await textarea().getAttribute("placeholder")).toBe("@agent or @all message...");
  });

  it("tells how to create a session when there is none", async () => {
    const empty = makeTempDir("cafleet-browser-empty-");
    const emptyServer = await startServer(isolatedEnv(empty.dir));
    const other = await context.newPage();
    try {
      await other.goto(`${emptyServer.base}/ui/#/sessions/unknown/agents`);
      await other.getByText("No sessions found.").waitFor();
      expect(new URL(other.url()).hash).toBe("#/sessions");
      expect(await other.locator("code").textContent()).toBe("cafleet session create");
      expect(await other.getByText("Run cafleet session create to create one.").count()).toBe(1);
    } finally {
      await other.close();
      await emptyServer.stop();
      empty.cleanup();
    }
  });
});

describe("protection", () => {
  it("refuses a POST made by a page of another origin", async () => {
    const other = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("<p>other site</p>", { headers: { "content-type": "text/html" } }),
    });
    const foreign = await context.newPage();
    try {
      await foreign.goto(`http://127.0.0.1:${other.port}/`);
      const before = taskCount();
      const outcome = await foreign.evaluate(
        async (target) => {
          const body = JSON.stringify(target.body);
          const simple = await fetch(target.url, {
            method: "POST",
            mode: "no-cors",
            headers: { "Content-Type": "text/plain", "X-Session-Id": target.sessionId },
            body,
          }).then((response) => response.type);
          const cors = await fetch(target.url, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Session-Id": target.sessionId },
            body,
          }).then(
            (response) => `status ${response.status}`,
            () => "blocked",
          );
          return { simple, cors };
        },
        {
          url: `${server.base}/ui/api/messages/send`,
          sessionId: seeded.sessionId,
          body: { from_agent_id: seeded.administratorId, to_agent_id: seeded.claudeId, text: "forged" },
        },
      );
      expect(outcome).toEqual({ simple: "opaque", cors: "blocked" });
      await Bun.sleep(200);
      expect(taskCount()).toBe(before);
      expect(db.query("SELECT COUNT(*) AS n FROM tasks WHERE task_json LIKE '%forged%'").get()).toEqual({
        n: 0,
      });
    } finally {
      await foreign.close();
      other.stop(true);
    }
  });
});

describe("delivery states", () => {
  it("shows stored, notified, read, a failed push, overdue highlighting and reply threads", async () => {
    const writer = openConnection(join(temp.dir, "cafleet.db"));
    const send = (from: string, to: string, text: string, replyToTaskId?: string) =>
      sendUnicast(writer, {
        sessionId: seeded.sessionId,
        fromAgentId: from,
        toAgentId: to,
        text,
        replyToTaskId,
      }).id;
    const overdue = send(seeded.directorId, seeded.claudeId, "Overdue: nobody polled this");
    const tenMinutesAgo = `${new Date(Date.now() - 10 * 60_000).toISOString().slice(0, 23)}000+00:00`;
    writer
      .query("UPDATE tasks SET created_at = ?1, status_timestamp = ?1 WHERE task_id = ?2")
      .run(tenMinutesAgo, overdue);
    recordNudged(writer, [overdue]);
    const question = send(seeded.claudeId, seeded.reviewerId, "Which port does the server use?");
    recordNudged(writer, [question]);
    recordFetched(writer, [question]);
    const answer = send(seeded.reviewerId, seeded.claudeId, "8000, see the README", question);
    recordNudged(writer, [answer]);
    recordFetched(writer, [answer]);
    ackTask(writer, { sessionId: seeded.sessionId, agentId: seeded.claudeId, taskId: answer });
    const failed = send(seeded.directorId, seeded.reviewerId, "Push to a dead pane");
    recordPushFailed(
      writer,
      [failed],
      "tmux command failed: tmux send-keys -t %9 -l …\nstderr: can't find pane: %9",
    );
    const notified = send(seeded.directorId, seeded.reviewerId, "Notified, not polled yet");
    recordNudged(writer, [notified]);
    send(seeded.directorId, seeded.claudeId, "Stored, no pane to push to");
    writer.close();

    await page.reload();
    await entryWithBody("Stored, no pane to push to").waitFor();
    const chip = (body: string) => entryWithBody(body).locator(".delivery");
    const states = async (body: string) => [
      await chip(body).getAttribute("data-state"),
      await chip(body).textContent(),
    ];
    expect(await states("Which port does the server use?")).toEqual(["read", "✓✓ read"]);
    expect(await states("8000, see the README")).toEqual(["read", "✓✓ read"]);
    expect(await entryWithBody("8000, see the README").locator(".ack").count()).toBe(1);
    expect(await states("Push to a dead pane")).toEqual(["failed", "⚠ push failed"]);
    expect(await chip("Push to a dead pane").getAttribute("title")).toContain("can't find pane: %9");
    expect(await states("Notified, not polled yet")).toEqual(["notified", "✓ notified"]);
    expect(await states("Stored, no pane to push to")).toEqual(["stored", "✓ stored"]);
    expect(await states("Overdue: nobody polled this")).toEqual(["notified", "✓ notified · overdue"]);
    expect(await page.locator("li.entry.overdue").count()).toBe(1);
    expect(await page.locator("li.entry.overdue p.body").textContent()).toBe("Overdue: nobody polled this");
    expect(await entryWithBody("8000, see the README").locator(".reply-to").textContent()).toBe(
      "↪ reply to Claude-A: Which port does the server use?",
    );
    expect(await entryWithBody("Which port does the server use?").locator(".reply-to").count()).toBe(0);
    const broadcastChips = await page
      .locator(`li[data-entry-key="${broadcastId}"] .delivery`)
      .allTextContents();
    expect(broadcastChips.sort()).toEqual(["@Claude-A ✓ stored", "@reviewer-bot ✓✓ read"]);

    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    // Tall enough for the overdue entry (sorted ten minutes back) and the newest ones together.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 1280, height: 2200 });
    await page.screenshot({ path: join(ROOT, "test-artifacts/delivery.png") });
    if (viewport) await page.setViewportSize(viewport);
  });
});

describe("screenshot", () => {
  it("saves the timeline, light and dark, to test-artifacts/", async () => {
    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    await textarea().click();
    await textarea().pressSequentially("@re");
    await page.locator(".mention-option").first().waitFor();
    await page.locator(".ack").first().hover();
    await page.screenshot({ path: join(ROOT, "test-artifacts/timeline.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(ROOT, "test-artifacts/timeline-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
    await textarea().fill("");
  });
});

describe("a long timeline", () => {
  it("opens scrolled to the newest message at the bottom", async () => {
    const writer = openConnection(join(temp.dir, "cafleet.db"));
    for (let index = 0; index < 80; index++)
      sendUnicast(writer, {
        sessionId: seeded.sessionId,
        fromAgentId: seeded.claudeId,
        toAgentId: seeded.reviewerId,
        text: `bulk ${index}`,
      });
    writer.close();
    await page.reload();
    const last = entryWithBody("bulk 79");
    await last.waitFor();
    await page.waitForFunction(() => {
      const timeline = document.querySelector(".timeline")!;
      return (
        timeline.scrollHeight > timeline.clientHeight &&
        timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 2
      );
    });
    expect(await last.isVisible()).toBe(true);
    const lastKind = await entries().last().locator("p.body").textContent();
    expect(lastKind).toBe("bulk 79");
  });
});

describe("leaving the session view", () => {
  it("closes the event stream, and none reopens", async () => {
    const fresh = await context.newPage();
    // Every EventSource the page makes, so the test can see which are still open.
    await fresh.addInitScript(() => {
      const opened: EventSource[] = [];
      const Native = window.EventSource;
      (window as unknown as { openedStreams: EventSource[] }).openedStreams = opened;
      window.EventSource = class extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          opened.push(this);
        }
      };
    });
    const streams = () =>
      fresh.evaluate(() =>
        (window as unknown as { openedStreams: EventSource[] }).openedStreams.map(
          (stream) => stream.readyState,
        ),
      );
    try {
      await fresh.goto(`${server.base}/ui/#/sessions/${seeded.sessionId}/agents`);
      await fresh.getByText("Sending as Administrator").waitFor();
      await fresh.waitForFunction(() =>
        (window as unknown as { openedStreams: EventSource[] }).openedStreams.some(
          (stream) => stream.readyState === EventSource.OPEN,
        ),
      );
      await fresh.getByRole("button", { name: "Back to Sessions" }).click();
      await fresh.getByText("Select a Session").waitFor();
      // Longer than the page's first reconnect delay (500 ms) and the server's retry (1 s).
      await Bun.sleep(2500);
      const states = await streams();
      expect(states.length).toBeGreaterThan(0);
      const CLOSED = 2; // EventSource.CLOSED, which only the page knows
      expect(states.filter((state) => state !== CLOSED)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
