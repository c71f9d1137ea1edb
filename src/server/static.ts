import { errorResponse } from "./http-error.ts";

/**
 * Serves the embedded SPA from the generated asset map (relative name → embedded path). Only the
 * map's exact keys are ever read, so `..` or encoded slashes cannot reach another file.
 */

export const UI_PREFIX = "/ui/";

const MIME_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
};

function mimeType(name: string): string {
  const extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return MIME_TYPES[extension] ?? "application/octet-stream";
}

// Vite puts content-hashed files under assets/: their content never changes under that name.
function cacheControl(name: string): string {
  return name.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

async function readAsset(assets: Record<string, string>, name: string): Promise<Response | null> {
  const path = assets[name];
  if (path === undefined) return null;
  try {
    // Bun.file(...).exists() can say false for an embedded file while reading works: just read.
    const bytes = await Bun.file(path).bytes();
    return new Response(bytes, {
      headers: { "content-type": mimeType(name), "cache-control": cacheControl(name) },
    });
  } catch {
    return null;
  }
}

/** `/ui/<file>`: that file, else index.html (SPA fallback), else 404 when the UI is not built. */
export async function serveUi(assets: Record<string, string>, pathname: string): Promise<Response> {
  const name = pathname.slice(UI_PREFIX.length);
  const asset = name === "" ? null : await readAsset(assets, name);
  return asset ?? (await readAsset(assets, "index.html")) ?? errorResponse(404, "Not Found");
}

export function hasUi(assets: Record<string, string>): boolean {
  return assets["index.html"] !== undefined;
}
