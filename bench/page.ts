/**
 * The console page in real headless Chromium against one `cafleet server`: how long a session of
 * MESSAGES messages (every fourth one Markdown with a code block) takes from navigation to its
 * last entry on screen (and the part of it after the timeline's response), and how long a live event takes from the database write to its entry.
 */
import { sendUnicast } from "../src/broker/tasks.ts";
import { launchBrowser } from "../test/browser/browser.ts";
import { startServer } from "../test/server/serve.ts";
import { createTeam, makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { median, sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const MESSAGES = 200;
const OPEN_TARGET_MS = 1000;
/** About what a reader takes as instant after a click. */
const RENDER_TARGET_MS = 300;
const LIVE_TARGET_MS = 500;

function body(index: number): string {
  return index % 4 === 0
    ? `Step ${index}: **done**, see below\n\n\`\`\`ts\nexport const step${index} = ${index}; // checked\n\`\`\``
    : `plain message ${index} about the build`;
}

export async function pageFigures(): Promise<Row[]> {
  const workspace = makeWorkspace("page");
  const db = openWorkspaceDb(workspace);
  const team = createTeam(db, 2);
  const [from, to] = team.agentIds as [string, string];
  for (let index = 0; index < MESSAGES; index++)
    sendUnicast(db, { sessionId: team.sessionId, fromAgentId: from, toAgentId: to, text: body(index) });
  const server = await startServer(workspace.env);
  const browser = await launchBrowser();
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const url = `${server.base}/ui/#/sessions/${team.sessionId}/agents`;
    const opens: number[] = [];
    const renders: number[] = [];
    for (let run = 0; run < sized(9, 3); run++) {
      await page.goto("about:blank");
      const started = performance.now();
      await page.goto(url);
      // In the page's own clock: from the timeline's response to the frame that holds every entry.
      const render = await page.evaluate(
        (count) =>
          new Promise<number>((resolve) => {
            const check = () => {
              if (document.querySelectorAll("li.entry").length < count) return requestAnimationFrame(check);
              const timeline = performance
                .getEntriesByType("resource")
                .find((entry) => entry.name.endsWith("/ui/api/timeline")) as PerformanceResourceTiming;
              resolve(performance.now() - timeline.responseEnd);
            };
            check();
          }),
        MESSAGES,
      );
      opens.push(performance.now() - started);
      renders.push(render);
    }
    const lives: number[] = [];
    for (let run = 0; run < sized(15, 5); run++) {
      const marker = `live ${run} ${crypto.randomUUID()}`;
      const started = performance.now();
      sendUnicast(db, { sessionId: team.sessionId, fromAgentId: to, toAgentId: from, text: marker });
      await page.getByText(marker).waitFor();
      lives.push(performance.now() - started);
    }
    const open = median(opens);
    const render = median(renders);
    const live = median(lives);
    return [
      {
        figure: "page",
        measure: `open a ${MESSAGES}-message timeline (median)`,
        value: open,
        unit: "ms",
        target: `≤ ${OPEN_TARGET_MS} ms`,
        holds: open <= OPEN_TARGET_MS,
      },
      {
        figure: "page",
        measure: `timeline response → ${MESSAGES} entries drawn (median)`,
        value: render,
        unit: "ms",
        target: `≤ ${RENDER_TARGET_MS} ms`,
        holds: render <= RENDER_TARGET_MS,
        note: "in the page's clock, up to the animation frame that holds the last entry",
      },
      {
        figure: "page",
        measure: "live event → entry on screen (median)",
        value: live,
        unit: "ms",
        target: `≤ ${LIVE_TARGET_MS} ms`,
        holds: live <= LIVE_TARGET_MS,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
    db.close();
    workspace.dispose();
  }
}
