import { UI_ASSETS } from "../server/ui-assets.gen.ts";
import { SERVER_BUNDLE } from "../server-bundle.gen.ts";
import type { SERVER } from "./commands.ts";
import type { Context } from "./options.ts";

type ServerModule = typeof import("./server.ts");

/**
 * `cafleet server` without the server in the CLI's bundle: the binary embeds the server (Elysia
 * and all) as a separate file and imports it only here, so every other command starts without
 * parsing it. From source (tests, `bun src/main.ts server`) the gen file holds null and the
 * module is imported directly; the specifier is computed so the bundler does not inline it.
 */
export async function serve(ctx: Context<typeof SERVER>): Promise<void> {
  const specifier = SERVER_BUNDLE ?? new URL("./server.ts", import.meta.url).href;
  const module = (await import(specifier)) as ServerModule;
  return module.serve(ctx, UI_ASSETS);
}
