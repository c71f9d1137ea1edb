/**
 * Where the files the binary carries are. build.ts embeds web/dist, skills/ and the server's
 * bundle (Bun.build's `compile.assets`), and the binary finds them beside its code under
 * /$bunfs/root by their last names; run from source, they are the checkout's own files.
 * (String joins, not node:path: the CLI's hot path loads no module it does not need.)
 */
const compiled = Bun.isStandaloneExecutable;
const checkout = `${import.meta.dir}/..`;

export const UI_DIR = compiled ? `${import.meta.dir}/dist` : `${checkout}/web/dist`;
export const SKILLS_DIR = compiled ? `${import.meta.dir}/skills` : `${checkout}/skills`;

/** A computed specifier, so the bundler leaves the server (and Elysia) out of the CLI's bundle. */
export const SERVER_MODULE = compiled
  ? `${import.meta.dir}/server.js`
  : new URL("./cli/server.ts", import.meta.url).href;

/** The MCP server's bundle, imported only by `cafleet mcp` (the MCP SDK stays out of the CLI's bundle). */
export const MCP_MODULE = compiled
  ? `${import.meta.dir}/mcp.js`
  : new URL("./mcp/serve.ts", import.meta.url).href;

/** The PostgreSQL connection's worker (src/store/postgres/worker.ts), loaded only for a postgres:// URL. */
export const POSTGRES_WORKER = compiled
  ? `${import.meta.dir}/postgres-worker.js`
  : `${import.meta.dir}/store/postgres/worker.ts`;
