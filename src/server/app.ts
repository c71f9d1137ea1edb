import type { Database } from "bun:sqlite";
import { Elysia } from "elysia";
import { describeStorageError, openConnection } from "../broker/db.ts";
import { allowedHostnames, guardRequest } from "./guards.ts";
import { errorResponse, toHttpError } from "./http-error.ts";
import { LiveFeed, WATCH_INTERVAL_MS } from "./live.ts";
import { agentRoutes } from "./routes/agents.ts";
import { eventRoutes, KEEP_ALIVE_MS } from "./routes/events.ts";
import { messageRoutes } from "./routes/messages.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { timelineRoutes } from "./routes/timeline.ts";
import { uiRoutes } from "./ui.ts";

export type AppOptions = {
  /** The address the server binds (decides which Host names are accepted). */
  host: string;
  /** The port it listens on (a same-origin write comes from this port). */
  port: number;
  /** The built SPA's folder (src/embedded.ts's UI_DIR in the binary). */
  uiDir: string;
  /** Test knobs: how often the live feed looks at the database, how often a stream says it's alive. */
  watchIntervalMs?: number;
  keepAliveMs?: number;
};

// Every API path with the methods it answers: a known path with another method is a 405.
const API_ROUTES: { pattern: RegExp; methods: string[] }[] = [
  { pattern: /^\/ui\/api\/sessions$/, methods: ["GET"] },
  { pattern: /^\/ui\/api\/agents$/, methods: ["GET"] },
  { pattern: /^\/ui\/api\/agents\/[^/]+\/(inbox|sent)$/, methods: ["GET"] },
  { pattern: /^\/ui\/api\/timeline$/, methods: ["GET"] },
  { pattern: /^\/ui\/api\/events$/, methods: ["GET"] },
  { pattern: /^\/ui\/api\/messages\/send$/, methods: ["POST"] },
];

function unmatchedRequest(method: string, pathname: string): Response {
  const route = API_ROUTES.find(({ pattern }) => pattern.test(pathname));
  if (route && !route.methods.includes(method))
    return errorResponse(405, "Method Not Allowed", { allow: route.methods.join(", ") });
  return errorResponse(404, "Not Found");
}

function redirectToUi(): Response {
  return new Response(null, { status: 307, headers: { location: "/ui/" } });
}

/** The web server of webui.md: guards, the JSON API, the live feed and the embedded SPA. */
export async function createApp(db: Database, options: AppOptions) {
  const allowed = allowedHostnames(options.host);
  // Its own connection: data_version only moves for commits made by *other* connections.
  const live = new LiveFeed(openConnection(db.filename), options.watchIntervalMs ?? WATCH_INTERVAL_MS);
  // strictPath: `/ui` redirects while `/ui/` is the page.
  return new Elysia({ strictPath: true })
    .decorate("live", live)
    .onRequest(({ request }) => guardRequest(request, { allowed, port: options.port }) ?? undefined)
    .onError(({ code, error, request }) => {
      if (code === "NOT_FOUND") return unmatchedRequest(request.method, new URL(request.url).pathname);
      if (code === "VALIDATION" || code === "PARSE") return errorResponse(422, "Invalid request body");
      // A full disk or a damaged file should say which file and what to do, as the CLI does.
      const fromSqlite = String((error as { code?: unknown }).code).startsWith("SQLITE_");
      const http = toHttpError(fromSqlite ? describeStorageError(error, db.filename) : error);
      return errorResponse(http.status, http.message, http.headers);
    })
    .use(sessionRoutes(db))
    .use(agentRoutes(db))
    .use(timelineRoutes(db))
    .use(messageRoutes(db))
    .use(eventRoutes(db, live, options.keepAliveMs ?? KEEP_ALIVE_MS))
    .get("/", redirectToUi)
    .get("/ui", redirectToUi)
    .use(await uiRoutes(options.uiDir, "/ui/api/"));
}

export type App = Awaited<ReturnType<typeof createApp>>;
