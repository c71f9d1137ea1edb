import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type RunningServer, startServer } from "../server/serve.ts";
import { ROOT } from "../support/cli.ts";
import { type DirectorSession, MemberHarness } from "../tmux/harness.ts";
import { seriousViolations } from "./axe.ts";
import { launchBrowser } from "./browser.ts";

/**
 * The fleet console's sidebar and member view against real panes: fake REPLs in a private tmux
 * server, put in each state the way a real coding agent gets there (a turn, a permission prompt,
 * a killed pane), read by the compiled binary's server.
 */

const SCREENS = join(ROOT, "test-artifacts/screens");
const SLOW = 30_000;
let h: MemberHarness;
let session: DirectorSession;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const panes: Record<string, string> = {};
const ids: Record<string, string> = {};

function typeLine(pane: string, line: string): void {
  h.tmux.tmux(["send-keys", "-t", pane, "-l", line]);
  h.tmux.tmux(["send-keys", "-t", pane, "Enter"]);
}

function send(to: string, text: string, from = session.directorId): void {
  const result = h.run([
    "--session-id",
    session.sessionId,
    "send",
    "--agent-id",
    from,
    "--to",
    to,
    "--text",
    text,
  ]);
  if (result.exitCode !== 0) throw new Error(result.stderr);
}

beforeAll(async () => {
  h = new MemberHarness("console-fleet");
  session = h.createSession();
  for (const [name, extra] of [
    ["Idle-One", ["--model", "sonnet"]],
    ["Busy-One", []],
    ["Asking-One", []],
    ["Gone-One", []],
  ] as const) {
    const member = h.createMember(session, name, [...extra]);
    panes[name] = member.placement.tmux_pane_id;
    ids[name] = member.agent_id;
    await h.waitForReady(member.placement.tmux_pane_id);
  }
  typeLine(panes["Busy-One"]!, "/busy");
  typeLine(panes["Asking-One"]!, "/prompt");
  h.tmux.tmux(["kill-pane", "-t", panes["Gone-One"]!]);
  // A push to a member in the middle of a turn waits for its prompt: one unread, held.
  await Bun.sleep(300);
  send(ids["Busy-One"]!, "when you are done, run the tests");
  send(ids["Idle-One"]!, "please look at issue 12");
  // Its answer is Idle-One's latest sign of life (last activity).
  send(session.directorId, "on it", ids["Idle-One"]!);
  server = await startServer(h.env());
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  mkdirSync(SCREENS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  h?.dispose();
}, 60_000);

const row = (name: string) =>
  page.locator(".agent-row", { has: page.locator(".agent-name", { hasText: name }) });

async function stateOf(name: string): Promise<string | null> {
  return row(name).locator(".agent-state").getAttribute("data-state");
}

describe("fleet status in the sidebar", () => {
  it(
    "shows each agent's live state, unread and held counts, model and last activity",
    async () => {
      await page.goto(`${server.base}/ui/#/sessions/${session.sessionId}/agents`);
      await page.waitForFunction(
        () => document.querySelectorAll(".agent-row .agent-state").length >= 6,
        undefined,
        { timeout: 15_000 },
      );
      await page.waitForFunction(
        () =>
          document.querySelector('.agent-row .agent-state[data-state="working"]') !== null &&
          document.querySelector('.agent-row .agent-state[data-state="waiting"]') !== null &&
          document.querySelector('.agent-row .agent-state[data-state="gone"]') !== null,
        undefined,
        { timeout: 15_000 },
      );
      expect(await stateOf("Administrator")).toBe("no_pane");
      expect(await row("Administrator").locator(".agent-state").textContent()).toBe("no pane");
      expect(await stateOf("Idle-One")).toBe("idle");
      expect(await stateOf("Busy-One")).toBe("working");
      expect(await stateOf("Asking-One")).toBe("waiting");
      expect(await row("Asking-One").locator(".agent-state").textContent()).toMatch(/^waiting: \S/);
      expect(await stateOf("Gone-One")).toBe("gone");
      expect(await row("Gone-One").locator(".agent-state").textContent()).toBe("pane gone");
      expect(await row("Busy-One").locator(".agent-unread").textContent()).toBe("1 unread");
      expect(await row("Busy-One").locator(".agent-held").textContent()).toBe("1 held");
      expect(await row("Idle-One").locator(".agent-unread").textContent()).toBe("1 unread");
      expect(await row("Idle-One").locator(".agent-held").count()).toBe(0);
      expect(await row("Idle-One").locator(".agent-model").textContent()).toBe("sonnet");
      expect(await row("Idle-One").locator(".agent-activity").textContent()).toMatch(
        /^(just now|\d+ min ago)$/,
      );
      await page.locator("aside.sidebar").screenshot({ path: join(SCREENS, "sidebar-fleet-states.png") });
    },
    SLOW,
  );

  it(
    "updates a state live when the member's turn ends",
    async () => {
      writeFileSync(join(h.dir, `${panes["Busy-One"]}.idle`), "");
      await page.waitForFunction(
        () => {
          const rows = [...document.querySelectorAll(".agent-row")];
          const busy = rows.find((li) => li.querySelector(".agent-name")?.textContent === "Busy-One");
          return busy?.querySelector(".agent-state")?.getAttribute("data-state") === "idle";
        },
        undefined,
        { timeout: 10_000 },
      );
      expect(await stateOf("Busy-One")).toBe("idle");
    },
    SLOW,
  );
});

describe("watching a member", () => {
  it(
    "shows a read-only screen refreshed about once a second beside the member's conversation",
    async () => {
      const screenRequests: number[] = [];
      page.on("request", (request) => {
        if (request.url().includes(`/agents/${ids["Asking-One"]}/screen`)) screenRequests.push(Date.now());
      });
      const typedBefore = h.inputOf(panes["Asking-One"]!);
      await row("Asking-One").locator("button").click();
      await page.getByText("Conversation with Asking-One").waitFor();
      const screen = page.locator("pre.member-screen");
      await page.waitForFunction(
        () => document.querySelector("pre.member-screen")?.textContent?.includes("Do you want to proceed?"),
        undefined,
        { timeout: 10_000 },
      );
      expect(await page.getByRole("region", { name: "Screen of Asking-One" }).isVisible()).toBe(true);
      expect(await page.locator(".member-screen-state").getAttribute("data-state")).toBe("waiting");
      // Only the member's conversation: nothing of Idle-One's or Busy-One's.
      expect(await page.locator("li.entry").count()).toBe(0);
      await page.getByText("No messages yet").waitFor();
      await Bun.sleep(3200);
      const asked = screenRequests.filter((at) => at > screenRequests[0]! - 1);
      expect(asked.length).toBeGreaterThanOrEqual(3);
      expect(asked.length).toBeLessThanOrEqual(5);
      // What the member's pane shows next appears without a click.
      typeLine(panes["Idle-One"]!, "ignored");
      await row("Idle-One").locator("button").click();
      await page.getByText("Conversation with Idle-One").waitFor();
      await page.waitForFunction(
        () => document.querySelector("pre.member-screen")?.textContent?.includes("ignored"),
        undefined,
        { timeout: 5_000 },
      );
      expect(await page.locator("li.entry .body").allTextContents()).toEqual([
        "please look at issue 12",
        "on it",
      ]);
      await page.screenshot({ path: join(SCREENS, "member-screen.png") });
      expect(await seriousViolations(page)).toEqual([]);
      // Watching never typed into a pane: the prompt is still unanswered.
      expect(h.inputOf(panes["Asking-One"]!)).toEqual(typedBefore);
      expect(await screen.isVisible()).toBe(true);
    },
    SLOW,
  );

  it(
    "shows no screen for an agent without a pane, and stops capturing when closed",
    async () => {
      await row("Administrator").locator("button").click();
      await page.getByText("Conversation with Administrator").waitFor();
      expect(await page.locator("pre.member-screen").count()).toBe(0);
      await page.getByRole("button", { name: "Show all" }).click();
      const requests: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/screen")) requests.push(request.url());
      });
      await Bun.sleep(1500);
      expect(requests).toEqual([]);
      expect(await page.locator("li.entry").count()).toBe(3);
    },
    SLOW,
  );
});
