import { Elysia } from "elysia";
import { describeStorageError, openAnotherConnection } from "../broker/db.ts";
import { isSqliteError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { fleetReader } from "./fleet.ts";
import { allowedHostnames, guardRequest } from "./guards.ts";
import { errorResponse, toHttpError } from "./http-error.ts";
import { FLEET_INTERVAL_MS, LiveFeed, WATCH_INTERVAL_MS } from "./live.ts";
import { agentRoutes } from "./routes/agents.ts";
import { eventRoutes, KEEP_ALIVE_MS } from "./routes/events.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { messageRoutes } from "./routes/messages.ts";
import { searchRoutes } from "./routes/search.ts";
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
  /**
   * The server's environment (default process.env): its TMUX and TMUX_PANE decide whether its own
   * tmux server's pane listing may prove a pane gone, as for `member list`.
   */
  env?: Record<string, string | undefined>;
  /**
   * Test knobs: how often the live feed looks at the database and at the fleet's screens, how
   * often a stream says it's alive.
   */
  watchIntervalMs?: number;
  fleetIntervalMs?: number;
  keepAliveMs?: number;
};

type Env = Record<string, string | undefined>;

const API_PREFIX = "/ui/api";

/** The routes under /ui/api, one module per resource. */
function apiRoutes(db: Database, env: Env, live: LiveFeed, keepAliveMs: number) {
  return new Elysia({ prefix: API_PREFIX, strictPath: true })
    .use(sessionRoutes(db))
    .use(agentRoutes(db, env))
    .use(fleetRoutes(db, env))
    .use(timelineRoutes(db))
    .use(messageRoutes(db))
    .use(searchRoutes(db))
    .use(eventRoutes(db, live, keepAliveMs));
}

/** A known API path asked with another method is a 405 naming the methods it has; else a 404. */
function unmatched(routes: { method: string; path: string }[]): (request: Request) => Response {
  const known = routes.map(({ method, path }) => ({
    method,
    pattern: new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`),
  }));
  return (request) => {
    const pathname = new URL(request.url).pathname;
    const methods = [
      ...new Set(known.filter(({ pattern }) => pattern.test(pathname)).map(({ method }) => method)),
    ];
    if (methods.length > 0 && !methods.includes(request.method))
      return errorResponse(405, "Method Not Allowed", { allow: methods.join(", ") });
    return errorResponse(404, "Not Found");
  };
}

function redirectToUi(): Response {
  return new Response(null, { status: 307, headers: { location: "/ui/" } });
}

/** The web server of webui.md: guards, the JSON API, the live feed and the embedded SPA. */
export async function createApp(db: Database, options: AppOptions) {
  const allowed = allowedHostnames(options.host);
  const env = options.env ?? process.env;
  // Its own connection: data_version only moves for commits made by *other* connections (so a
  // gone pane the fleet read marks there does not wake the feed again).
  const watchDb = openAnotherConnection(db);
  const live = new LiveFeed(watchDb, options.watchIntervalMs ?? WATCH_INTERVAL_MS, {
    read: fleetReader(watchDb, env),
    intervalMs: options.fleetIntervalMs ?? FLEET_INTERVAL_MS,
  });
  const api = apiRoutes(db, env, live, options.keepAliveMs ?? KEEP_ALIVE_MS);
  const notFound = unmatched(api.routes);
  // strictPath: `/ui` redirects while `/ui/` is the page.
  return new Elysia({ strictPath: true })
    .decorate("live", live)
    .onRequest(({ request }) => guardRequest(request, { allowed, port: options.port }) ?? undefined)
    .onError(({ code, error, request }) => {
      if (code === "NOT_FOUND") return notFound(request);
      if (code === "PARSE" || (code === "VALIDATION" && error.type !== "response"))
        return errorResponse(422, "Invalid request body");
      // A full disk or a damaged file should say which file and what to do, as the CLI does.
      const http = toHttpError(isSqliteError(error) ? describeStorageError(error, db.filename) : error);
      return errorResponse(http.status, http.message, http.headers);
    })
    .use(api)
    .get("/", redirectToUi)
    .get("/ui", redirectToUi)
    .use(await uiRoutes(options.uiDir, `${API_PREFIX}/`));
}

export type App = Awaited<ReturnType<typeof createApp>>;
