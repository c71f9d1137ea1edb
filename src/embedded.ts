import { join } from "node:path";

/**
 * Where the files the binary carries are. build.ts embeds web/dist, skills/ and the server's
 * bundle (Bun.build's `compile.assets`), and the binary finds them beside its code under
 * /$bunfs/root by their last names; run from source, they are the checkout's own files.
 */
const compiled = Bun.isStandaloneExecutable;
const checkout = join(import.meta.dir, "..");

export const UI_DIR = compiled ? join(import.meta.dir, "dist") : join(checkout, "web/dist");
export const SKILLS_DIR = compiled ? join(import.meta.dir, "skills") : join(checkout, "skills");

/** A computed specifier, so the bundler leaves the server (and Elysia) out of the CLI's bundle. */
export const SERVER_MODULE = compiled
  ? join(import.meta.dir, "server.js")
  : new URL("./cli/server.ts", import.meta.url).href;
