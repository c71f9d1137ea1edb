import { Elysia } from "elysia";
import type { Database } from "../../store/database.ts";
import { readFleet } from "../fleet.ts";
import { Fleet } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

type Env = Record<string, string | undefined>;

export function fleetRoutes(db: Database, env: Env) {
  return new Elysia({ strictPath: true }).get(
    "/fleet",
    ({ headers }) => readFleet(db, env, requireSessionHeader(db, headers)),
    { response: { 200: Fleet } },
  );
}
