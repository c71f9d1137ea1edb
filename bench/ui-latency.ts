/**
 * CLI send → browser latency of the live timeline: from `cafleet send` returning to the message
 * appearing in the page's DOM, median of 20, against dist/cafleet in real headless Chromium.
 * Run: bun run bench/ui-latency.ts
 */
import { launchBrowser } from "../test/browser/browser.ts";
import { cliSend, seedSession } from "../test/browser/seed.ts";
import { startServer } from "../test/server/serve.ts";
import { isolatedEnv, makeTempDir } from "../test/support/cli.ts";
import { PrivateTmux } from "../test/support/tmux.ts";

const RUNS = 20;

const temp = makeTempDir("cafleet-bench-ui-");
const tmux = new PrivateTmux("bench-ui");
const env = { ...isolatedEnv(temp.dir), ...tmux.envFor(tmux.start()) };
const seeded = seedSession(env);
const server = await startServer(env);
const browser = await launchBrowser();
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.base}/ui/#/sessions/${seeded.sessionId}/agents`);
  await page.getByText("No messages yet").waitFor();
  // Wall-clock time at which each marker's text first shows up in the DOM.
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { seen: Record<string, number> }).seen = seen;
    new MutationObserver(() => {
      for (const body of document.querySelectorAll("p.body")) {
        const text = body.textContent ?? "";
        if (text.startsWith("latency-") && seen[text] === undefined) seen[text] = Date.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const marker = `latency-${run}`;
    cliSend(env, seeded, seeded.claudeId, seeded.reviewerId, marker);
    const returned = Date.now();
    await page.waitForFunction(
      (key) => (window as unknown as { seen: Record<string, number> }).seen[key] !== undefined,
      marker,
      { timeout: 10_000 },
    );
    const appeared = await page.evaluate(
      (key) => (window as unknown as { seen: Record<string, number> }).seen[key]!,
      marker,
    );
    samples.push(appeared - returned);
    await Bun.sleep(50 + Math.random() * 150);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const median = (sorted[RUNS / 2 - 1]! + sorted[RUNS / 2]!) / 2;
  console.log(
    `CLI send → browser DOM, ${RUNS} runs: median ${median} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms`,
  );
  console.log(`samples (ms): ${samples.join(" ")}`);
} finally {
  await browser.close();
  await server.stop();
  tmux.kill();
  temp.cleanup();
}
