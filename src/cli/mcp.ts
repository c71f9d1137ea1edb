import { MCP_MODULE } from "../embedded.ts";
import { CafleetError, UsageError } from "../errors.ts";
import type { McpIdentity } from "../mcp/serve.ts";
import type { MCP } from "./commands.ts";
import type { Context } from "./options.ts";

type McpModule = typeof import("../mcp/serve.ts");

/** `--agent-id A`, or `--register --name N --description D`; the parser already refused both. */
function readIdentity(ctx: Context<typeof MCP>): McpIdentity {
  const { agentId, name, description } = ctx.options;
  if (!ctx.options.register) {
    if (agentId === undefined) throw new UsageError("Must supply exactly one of --agent-id or --register.");
    if (name !== undefined || description !== undefined)
      throw new UsageError("Options '--name' and '--description' go with '--register'.");
    return { agentId };
  }
  if (name === undefined) throw new UsageError("Missing option '--name'.");
  if (description === undefined) throw new UsageError("Missing option '--description'.");
  return { register: { name, description } };
}

/**
 * `cafleet mcp`: the MCP server runs from its own bundle (the SDK and zod), embedded in the
 * binary as a file and imported only here, so no other command parses it at start-up. The
 * specifier is computed (src/embedded.ts) so the bundler does not inline it.
 */
export async function mcp(ctx: Context<typeof MCP>): Promise<void> {
  const sessionId = ctx.options.sessionId ?? ctx.sessionId;
  if (!sessionId)
    throw new CafleetError("--session-id <uuid> is required for cafleet mcp (before or after 'mcp').");
  const identity = readIdentity(ctx);
  const module = (await import(MCP_MODULE)) as McpModule;
  return module.serveMcp({ env: ctx.env, sessionId, identity });
}
