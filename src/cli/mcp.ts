import { CafleetError, UsageError } from "../errors.ts";
import type { McpIdentity } from "../mcp/serve.ts";
import { MCP_BUNDLE } from "../mcp-bundle.gen.ts";
import { type CommandContext, optionFlag, optionString } from "./spec.ts";

type McpModule = typeof import("../mcp/serve.ts");

/** `--agent-id A`, or `--register --name N --description D`; the parser already refused both. */
function readIdentity(ctx: CommandContext): McpIdentity {
  const agentId = optionString(ctx, "--agent-id");
  const name = optionString(ctx, "--name");
  const description = optionString(ctx, "--description");
  if (!optionFlag(ctx, "--register")) {
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
 * binary as a file and imported only here, so no other command parses it at start-up. From
 * source the gen file holds null and the module is imported directly; the specifier is computed
 * so the bundler does not inline it.
 */
export async function mcp(ctx: CommandContext): Promise<void> {
  const sessionId = optionString(ctx, "--session-id") ?? ctx.sessionId;
  if (!sessionId)
    throw new CafleetError("--session-id <uuid> is required for cafleet mcp (before or after 'mcp').");
  const identity = readIdentity(ctx);
  const specifier = MCP_BUNDLE ?? new URL("../mcp/serve.ts", import.meta.url).href;
  const module = (await import(specifier)) as McpModule;
  return module.serveMcp({ env: ctx.env, sessionId, identity });
}
