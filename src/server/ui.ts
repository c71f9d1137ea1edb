import { readdirSync } from "node:fs";
import { join } from "node:path";
import { staticPlugin } from "@elysiajs/static";
import { Elysia, NotFoundError } from "elysia";

/**
 * The built SPA (webui.md §1) from `dir`: web/dist in a checkout, its embedded copy in the binary.
 * @elysiajs/static lists the folder once (`alwaysStatic`) and serves exactly those files with
 * ETags, so `..` or encoded slashes never reach another file. Vite content-hashes what it writes
 * under assets/: those are cached for good. index.html (at /ui/ and as the SPA fallback) is
 * revalidated on every load, so a new build is picked up at once.
 */
export async function uiRoutes(dir: string, apiPrefix: string) {
  // Bun.file(...).exists() can say false for an embedded file while reading works: just read.
  const page = await Bun.file(join(dir, "index.html"))
    .bytes()
    .catch(() => null);
  const etag = page ? `"${new Bun.CryptoHasher("md5").update(page).digest("base64")}"` : "";
  const servePage = ({ request }: { request: Request }) => {
    // The app's 404 (and 405 for a known API path): the SPA fallback never answers for the API.
    if (!page || new URL(request.url).pathname.startsWith(apiPrefix)) throw new NotFoundError();
    if (request.headers.get("if-none-match") === etag)
      return new Response(null, { status: 304, headers: { etag } });
    return new Response(page, {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", etag },
    });
  };
  const app = new Elysia().get("/ui/", servePage).get("/ui/*", servePage);
  if (!page) return app;
  const assets = join(dir, "assets");
  const inAssets = new RegExp(`^${assets.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[\\\\/]`);
  // existsSync can say false for an embedded folder; a listing is the truth.
  if (readdirSync(dir).includes("assets"))
    app.use(
      await staticPlugin({
        assets,
        prefix: "/ui/assets",
        alwaysStatic: true,
        headers: { "Cache-Control": "public, max-age=31536000, immutable" },
      }),
    );
  return app.use(
    await staticPlugin({
      assets: dir,
      prefix: "/ui",
      alwaysStatic: true,
      indexHTML: false,
      ignorePatterns: [/\.html$/, inAssets],
      maxAge: 0,
      directive: "no-cache",
    }),
  );
}
