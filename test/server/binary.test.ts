import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { BINARY, isolatedEnv, makeTempDir, ROOT, runCafleet, runCafleetAsync } from "../support/cli.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";
import { startServer } from "./serve.ts";

const temp = makeTempDir("cafleet-serve-");
const env = isolatedEnv(temp.dir);
afterAll(() => temp.cleanup());

describe("cafleet server: options and errors", () => {
  it("refuses a non-integer CAFLEET_BROKER_PORT with exit 1", () => {
    const result = runCafleet(["server"], { ...env, CAFLEET_BROKER_PORT: "80x" });
    expect([result.exitCode, result.stderr]).toEqual([1, "Error: invalid CAFLEET_BROKER_PORT value '80x'\n"]);
    const overridden = runCafleet(["server", "--port", "0"], { ...env, CAFLEET_BROKER_PORT: "eighty" });
    expect([overridden.exitCode, overridden.stderr]).toEqual([
      1,
      "Error: invalid CAFLEET_BROKER_PORT value 'eighty'\n",
    ]);
  });

  it("refuses a non-integer --port with exit 2", () => {
    expect(runCafleet(["server", "--port", "abc"], env).exitCode).toBe(2);
  });

  it("mentions --host and --port in its help", () => {
    const { stdout, exitCode } = runCafleet(["server", "--help"], env);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("--host");
    expect(stdout).toContain("--port");
  });

  it("exits 1 with one Error line when the port is taken", () => {
    const blocker = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("busy") });
    try {
      const result = runCafleet(["server", "--port", String(blocker.port)], env);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toStartWith("Error: ");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      blocker.stop(true);
    }
  });

  it("refuses a database ahead of this binary before listening", () => {
    const { dir, cleanup } = makeTempDir("cafleet-ahead-");
    try {
      const aheadEnv = isolatedEnv(dir);
      const db = new Database(join(dir, "cafleet.db"));
      db.run("PRAGMA user_version = 999");
      db.close();
      const result = runCafleet(["server", "--port", "0"], aheadEnv);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        "Error: DB schema is at version 999 which is unknown to this version of cafleet. Refusing to downgrade automatically.\n",
      );
    } finally {
      cleanup();
    }
  });

  it("prints the listening line, creates the database, and exits 0 on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const server = await startServer(env);
      expect(server.stderr()).toContain(`cafleet server listening on http://127.0.0.1:${server.port}/ui/\n`);
      expect(server.stderr()).not.toContain("warning");
      const response = await fetch(`${server.base}/ui/api/sessions`);
      expect([response.status, await response.json()]).toEqual([200, []]);
      expect(await server.stop(signal)).toBe(0);
    }
    expect(statSync(join(temp.dir, "cafleet.db")).isFile()).toBe(true);
  });

  it("takes its address from CAFLEET_BROKER_HOST and warns when it is not loopback", async () => {
    const server = await startServer({ ...env, CAFLEET_BROKER_HOST: "0.0.0.0" });
    try {
      expect(server.stderr()).toContain(
        "warning: 0.0.0.0 is not a loopback address: every client on that network can read and send every message.\n",
      );
      expect(server.stderr()).toContain(`listening on http://0.0.0.0:${server.port}/ui/`);
      expect((await fetch(`${server.base}/ui/api/sessions`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("lets --host win over CAFLEET_BROKER_HOST", async () => {
    const server = await startServer({ ...env, CAFLEET_BROKER_HOST: "0.0.0.0" }, ["--host", "127.0.0.1"]);
    try {
      expect(server.stderr()).not.toContain("warning");
      expect(server.stderr()).toContain("listening on http://127.0.0.1:");
    } finally {
      await server.stop();
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe("the binary alone", () => {
  it("serves /ui/ and every built asset from an otherwise empty folder", async () => {
    const { dir, cleanup } = makeTempDir("cafleet-alone-");
    const lonely = join(dir, "cafleet");
    copyFileSync(BINARY, lonely);
    Bun.spawnSync(["chmod", "+x", lonely]);
    const server = await startServer(isolatedEnv(dir), [], lonely);
    try {
      expect(server.stderr()).not.toContain("warning: admin WebUI is not built");
      const index = await fetch(`${server.base}/ui/`);
      expect([index.status, index.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
      const html = await index.text();
      const distDir = join(ROOT, "web/dist");
      const assets = listFiles(distDir).map((file) => relative(distDir, file));
      expect(assets.length).toBeGreaterThan(1);
      // index.html is the server's own answer; the rest are Bun's types for the embedded files.
      const types: Record<string, string> = {
        html: "text/html; charset=utf-8",
        js: "text/javascript;charset=utf-8",
        css: "text/css;charset=utf-8",
        svg: "image/svg+xml",
      };
      for (const asset of assets) {
        if (asset.startsWith("assets/")) expect(html).toContain(`/ui/${asset}`);
        const response = await fetch(`${server.base}/ui/${asset}`);
        const extension = asset.slice(asset.lastIndexOf(".") + 1);
        expect([asset, response.status, response.headers.get("content-type")]).toEqual([
          asset,
          200,
          types[extension] ?? "application/octet-stream",
        ]);
        expect(Buffer.from(await response.arrayBuffer())).toEqual(
          Buffer.from(await Bun.file(join(distDir, asset)).arrayBuffer()),
        );
      }
    } finally {
      await server.stop();
      cleanup();
    }
  });

  it("caches hashed assets for good and revalidates index.html, both by ETag (304)", async () => {
    const { dir, cleanup } = makeTempDir("cafleet-etag-");
    const lonely = join(dir, "cafleet");
    copyFileSync(BINARY, lonely);
    Bun.spawnSync(["chmod", "+x", lonely]);
    const server = await startServer(isolatedEnv(dir), [], lonely);
    const revalidate = (path: string, etag: string) =>
      fetch(`${server.base}${path}`, { headers: { "if-none-match": etag } });
    try {
      const distDir = join(ROOT, "web/dist");
      const hashed = listFiles(join(distDir, "assets")).map((file) => `/ui/${relative(distDir, file)}`);
      expect(hashed.length).toBeGreaterThan(0);
      for (const path of hashed) {
        const first = await fetch(`${server.base}${path}`);
        const etag = first.headers.get("etag")!;
        expect([path, first.status, first.headers.get("cache-control"), etag.length > 0]).toEqual([
          path,
          200,
          "public, max-age=31536000, immutable",
          true,
        ]);
        const again = await revalidate(path, etag);
        expect([path, again.status, await again.text()]).toEqual([path, 304, ""]);
      }
      const page = await fetch(`${server.base}/ui/`);
      const etag = page.headers.get("etag")!;
      expect([page.status, page.headers.get("cache-control"), etag.length > 0]).toEqual([
        200,
        "no-cache",
        true,
      ]);
      for (const path of ["/ui/", "/ui/index.html", "/ui/sessions/x"]) {
        expect([path, (await revalidate(path, etag)).status]).toEqual([path, 304]);
        const fresh = await revalidate(path, '"another build"');
        expect([path, fresh.status, await fresh.text()]).toEqual([
          path,
          200,
          await Bun.file(join(distDir, "index.html")).text(),
        ]);
      }
      const root = await fetch(`${server.base}/`, { redirect: "manual" });
      expect([root.status, root.headers.get("location")]).toEqual([307, "/ui/"]);
      const missing = await fetch(`${server.base}/ui/api/nope`);
      expect([missing.status, await missing.json()]).toEqual([
        404,
        { detail: "Not Found", error: "Not Found" },
      ]);
    } finally {
      await server.stop();
      cleanup();
    }
  });
});

describe("sends from the web API", () => {
  const tmux = new PrivateTmux("serve");
  beforeAll(() => {
    tmux.start();
  }, 60_000);
  afterAll(() => tmux.kill());

  it("push the poll command into the recipient's pane, like the CLI", async () => {
    const pane = tmux.paneIds()[0]!;
    const paneEnv = { ...env, ...tmux.envFor(pane) };
    const created = JSON.parse(runCafleet(["session", "create", "--json"], paneEnv).stdout);
    const server = await startServer(paneEnv);
    try {
      const response = await fetch(`${server.base}/ui/api/messages/send`, {
        method: "POST",
        headers: { "X-Session-Id": created.session_id, "Content-Type": "application/json" },
        body: JSON.stringify({
          from_agent_id: created.administrator_agent_id,
          to_agent_id: created.director.agent_id,
          text: "wake up",
        }),
      });
      expect(response.status).toBe(200);
      const command = pushPollLine(created.session_id, created.director.agent_id);
      expect(await waitFor(() => tmux.capture(pane).includes(command), 5000)).toBe(true);
      const polled = await runCafleetAsync(
        ["--session-id", created.session_id, "--json", "poll", "--agent-id", created.director.agent_id],
        env,
      );
      expect(JSON.parse(polled.stdout)[0].artifacts[0].parts[0].text).toBe("wake up");
    } finally {
      await server.stop();
    }
  });
});
