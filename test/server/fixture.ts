import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../../src/broker/agents.ts";
import { openDatabase } from "../../src/broker/db.ts";
import { createSession, type TmuxContext } from "../../src/broker/sessions.ts";
import { type App, createApp } from "../../src/server/app.ts";
import type { Database } from "../../src/store/database.ts";
import { type Backend, databaseUrl } from "../support/backends.ts";
import { makeTempDir } from "../support/cli.ts";

export const PORT = 8000;

/** A small built UI on disk, laid out as Vite builds web/dist. */
function writeUi(dir: string): string {
  mkdirSync(join(dir, "ui/assets"), { recursive: true });
  writeFileSync(join(dir, "ui/index.html"), "<!doctype html><title>CAFleet</title>");
  writeFileSync(join(dir, "ui/assets/index-abc123.js"), "console.log(1);");
  writeFileSync(join(dir, "ui/assets/index-def456.css"), "body{}");
  writeFileSync(join(dir, "ui/favicon.svg"), "<svg/>");
  return join(dir, "ui");
}

export type Fixture = {
  db: Database;
  dir: string;
  sessionId: string;
  administratorId: string;
  directorId: string;
  claudeId: string;
  reviewerId: string;
  app: App;
  request: (path: string, init?: RequestInit) => Promise<Response>;
  cleanup: () => void;
};

/**
 * A temp database with one session plus two registered agents. The Director's pane is cleared
 * unless `tmux` names a real one (a private server's): a spawned tmux would inherit this
 * process's environment and could reach the user's own tmux server. Push notifications are
 * proven end to end against the binary (test/browser).
 */
export async function makeFixture(
  appOptions: {
    host?: string;
    keepAliveMs?: number;
    watchIntervalMs?: number;
    fleetIntervalMs?: number;
    tmux?: TmuxContext;
    backend?: Backend;
  } = {},
): Promise<Fixture> {
  const { dir, cleanup: removeDir } = makeTempDir("cafleet-server-");
  const { db } = openDatabase({ CAFLEET_DATABASE_URL: databaseUrl(appOptions.backend ?? "sqlite", dir) });
  const session = createSession(
    db,
    "demo",
    appOptions.tmux ?? { session: "main", windowId: "@0", paneId: "%0" },
  );
  if (!appOptions.tmux) db.query("UPDATE agent_placements SET tmux_pane_id = NULL").run();
  const claude = registerAgent(db, {
    sessionId: session.session_id,
    name: "Claude-A",
    description: "coder",
    skills: [],
  });
  const reviewer = registerAgent(db, {
    sessionId: session.session_id,
    name: "reviewer-bot",
    description: "reviews",
    skills: [],
  });
  const app = await createApp(db, {
    host: appOptions.host ?? "127.0.0.1",
    port: PORT,
    uiDir: writeUi(dir),
    // No TMUX of its own: only a pane's recorded server can prove the pane gone.
    env: {},
    keepAliveMs: appOptions.keepAliveMs,
    watchIntervalMs: appOptions.watchIntervalMs,
    fleetIntervalMs: appOptions.fleetIntervalMs,
  });
  return {
    db,
    dir,
    sessionId: session.session_id,
    administratorId: session.administrator_agent_id,
    directorId: session.director.agent_id,
    claudeId: claude.agent_id,
    reviewerId: reviewer.agent_id,
    app,
    request: (path, init) => app.handle(new Request(`http://localhost${path}`, init)),
    cleanup: () => {
      app.decorator.live.close();
      db.close();
      removeDir();
    },
  };
}

export function sessionHeaders(fixture: Fixture, extra: Record<string, string> = {}): Record<string, string> {
  return { "X-Session-Id": fixture.sessionId, ...extra };
}

export async function postJson(
  fixture: Fixture,
  path: string,
  body: unknown,
  headers: Record<string, string> = sessionHeaders(fixture),
): Promise<Response> {
  return fixture.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function errorOf(response: Response): Promise<{ status: number; body: unknown }> {
  return { status: response.status, body: await response.json() };
}

export function errorBody(message: string): { detail: string; error: string } {
  return { detail: message, error: message };
}
