/**
 * Regenerates the screen corpus under test/fixtures/screens/: drives the real Claude Code,
 * Codex CLI, opencode and Gemini CLI through each state against the scripted model server and
 * saves `capture-pane -p`.
 *
 *   bun test/repl/capture-screens.ts [claude|codex|opencode|gemini] [120x40|80x24]
 *
 * The 120x40 files are named `<repl>-<state>.txt`, other sizes `<repl>-<state>.<size>.txt`
 * (opencode and Gemini CLI: `<repl>-<version>-<state>…`, 120x40 only);
 * `<repl>-titles[.<size>].tsv` has the pane title (`#{pane_title}`) at each capture.
 * A few screens in the corpus were captured by hand (trust dialogs, key experiments); see README.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/cli.ts";
import { ask, hang, ModelServer, type Reply, shell, text } from "../support/model-server.ts";
import { ReplPane } from "../support/repl-pane.ts";
import {
  claudeLaunch,
  codexLaunch,
  ensureRepls,
  GEMINI_VERSION,
  geminiLaunch,
  OPENCODE_VERSION,
  opencodeLaunch,
  REPLS_DIR,
  type ReplLaunch,
  type ReplOptions,
} from "../support/repls.ts";

const OUT = join(ROOT, "test/fixtures/screens");
const LINES = Array.from({ length: 8 }, (_, i) => `Line ${i + 1} of the streamed answer.`).join("\n");

type Repl = "claude" | "codex" | "opencode" | "gemini";

/** The screen text each REPL shows when its input prompt is ready for a new turn. */
const IDLE: Record<Repl, RegExp> = {
  claude: /\? for shortcuts/,
  codex: /\? for shortcuts/,
  opencode: /ctrl\+p commands/,
  gemini: /Type your message/,
};

/**
 * How each REPL is started for the capture. opencode asks before every command but `sleep` (as
 * a member asks before every command but its `cafleet` calls); Gemini CLI gets no allow rule,
 * since a narrowed shell tool refuses other commands instead of asking.
 */
const LAUNCH: Record<Repl, (options: ReplOptions) => ReplLaunch> = {
  claude: claudeLaunch,
  codex: codexLaunch,
  opencode: (options) =>
    opencodeLaunch({
      ...options,
      env: {
        OPENCODE_CONFIG_CONTENT: JSON.stringify({ permission: { bash: { "*": "ask", "sleep *": "allow" } } }),
      },
    }),
  gemini: geminiLaunch,
};

/** The file name's start: the newer backends' screens carry the version they were read off. */
const PREFIX: Record<Repl, string> = {
  claude: "claude",
  codex: "codex",
  opencode: `opencode-${OPENCODE_VERSION}`,
  gemini: `gemini-${GEMINI_VERSION}`,
};

async function capture(repl: Repl, width: number, height: number): Promise<void> {
  const server = new ModelServer().start();
  mkdirSync(join(REPLS_DIR, "homes"), { recursive: true });
  const home = mkdtempSync(join(REPLS_DIR, "homes", `${repl}-`));
  const cwd = mkdtempSync("/tmp/cafleet-screens-");
  const options = { home, cwd, modelUrl: server.url, allow: ["Bash(echo:*)", "Bash(sleep:*)"] };
  const pane = ReplPane.start(LAUNCH[repl](options), cwd, { width, height });
  const suffix = width === 120 && height === 40 ? "" : `.${width}x${height}`;
  const titles: string[] = [];
  // The pane title is part of the state: Codex shows a spinner there while a reply streams.
  const save = (state: string) => {
    writeFileSync(join(OUT, `${PREFIX[repl]}-${state}${suffix}.txt`), pane.screen());
    titles.push(`${state}\t${pane.format("#{pane_title}")}`);
    console.log(`${PREFIX[repl]}-${state}${suffix}`);
  };
  const idle = () => pane.waitForScreen(IDLE[repl], 30_000);
  // Codex drops an Enter that follows typed text too closely (it reads the burst as a paste).
  const turn = async (line: string, ...replies: Reply[]) => {
    server.script(...replies);
    await pane.submit(line, 400);
  };
  try {
    await idle();
    await pane.waitForQuiet(1500, 10_000);
    save("idle-startup");

    pane.type("draft text that is not submitted");
    await Bun.sleep(800);
    save("idle-typed");
    // Codex has no line-kill key in its composer; Backspace works in both.
    pane.keys(...Array.from({ length: 32 }, () => "BSpace"));
    await Bun.sleep(500);

    await turn("say hi", text("ok done"));
    await server.waitForTurn((t) => t.userText === "say hi", 20_000);
    await pane.waitForScreen(/ok done/, 20_000);
    await idle();
    await Bun.sleep(1000);
    save("idle-after-turn");

    // Gemini CLI, with no allow rule, asks before `sleep` too (its busy screen is a hand capture).
    if (repl !== "gemini") {
      await turn("run sleep", shell("sleep 12"), text("slept"));
      await Bun.sleep(4000);
      save("busy-tool");
      await server.waitForTurn((t) => t.toolResult !== undefined && t.userText === "run sleep", 30_000);
      await pane.waitForScreen(/slept/, 20_000);
    }

    await turn("stream lines", text(LINES, 10_000));
    await Bun.sleep(5000);
    save("busy-streaming");
    await pane.waitForScreen(/Line 8 of the streamed answer/, 20_000);
    await idle();

    await turn("think hard", hang(8000, text("finally")));
    await Bun.sleep(3000);
    save("busy-thinking");
    await pane.waitForScreen(/finally/, 20_000);
    await idle();

    if (repl === "claude") {
      await turn("make a marker", shell("touch marker.txt"));
      await pane.waitForScreen(/Do you want to proceed\?/, 20_000);
      await Bun.sleep(500);
      save("permission-bash");
      pane.keys("Escape");
      await idle();

      await turn("ask me two", ask("Which color should we use?", ["Red", "Blue"]));
      await pane.waitForScreen(/Type something/, 20_000);
      await Bun.sleep(500);
      save("question-2-options");
      pane.keys("Escape");
      await idle();

      await turn("ask me three", ask("Which size do you want?", ["Small", "Medium", "Large"]));
      await pane.waitForScreen(/Type something/, 20_000);
      await Bun.sleep(500);
      save("question-3-options");
      pane.keys("Escape");
      await idle();
    } else if (repl === "opencode" || repl === "gemini") {
      await turn("make a marker", shell("touch marker.txt"));
      await pane.waitForScreen(repl === "opencode" ? /Permission required/ : /Allow execution of/, 20_000);
      await Bun.sleep(500);
      save("permission-shell");
      pane.keys("Escape");
      await idle();
      await Bun.sleep(1000);
      save("permission-after-esc");
    } else {
      await turn(
        "run escalated",
        shell(`touch ${homedir()}/cafleet-screens-escalated.txt`, { escalate: true }),
      );
      await pane.waitForScreen(/Would you like to run the following command\?/, 20_000);
      await Bun.sleep(500);
      save("approval-shell");
      pane.keys("Escape");
      await idle();
    }
  } finally {
    writeFileSync(join(OUT, `${PREFIX[repl]}-titles${suffix}.tsv`), `${titles.join("\n")}\n`);
    pane.kill();
    server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

ensureRepls();
mkdirSync(OUT, { recursive: true });
const [only, size] = process.argv.slice(2);
const sizes = size ? [size] : ["120x40", "80x24"];
for (const repl of ["claude", "codex", "opencode", "gemini"] as const) {
  if (only && only !== repl) continue;
  const newer = repl === "opencode" || repl === "gemini";
  for (const each of newer ? ["120x40"] : sizes) {
    const [width, height] = each.split("x").map(Number);
    await capture(repl, width ?? 120, height ?? 40);
  }
}
