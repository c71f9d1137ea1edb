import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../src/server/app.ts";
import { errorBody, errorOf, type Fixture, makeFixture, PORT, postJson, sessionHeaders } from "./fixture.ts";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
}, 60_000);
afterAll(() => fx.cleanup());

describe("routing", () => {
  it("redirects / and /ui to /ui/ with 307", async () => {
    for (const path of ["/", "/ui"]) {
      const response = await fx.request(path);
      expect([response.status, response.headers.get("location")]).toEqual([307, "/ui/"]);
    }
  });

  it("serves index.html at /ui/ and for unknown UI paths (SPA fallback)", async () => {
    for (const path of ["/ui/", "/ui/sessions/x/agents", "/ui/assets/missing.js", "/ui/api"]) {
      const response = await fx.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await response.text()).toBe("<!doctype html><title>CAFleet</title>");
    }
  });

  it("serves build files with their MIME type, hashed ones cached immutable", async () => {
    const js = await fx.request("/ui/assets/index-abc123.js");
    expect([js.status, js.headers.get("content-type"), await js.text()]).toEqual([
      200,
      "text/javascript;charset=utf-8",
      "console.log(1);",
    ]);
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await fx.request("/ui/assets/index-def456.css");
    expect(css.headers.get("content-type")).toBe("text/css;charset=utf-8");
    const svg = await fx.request("/ui/favicon.svg");
    expect([svg.headers.get("content-type"), svg.headers.get("cache-control")]).toEqual([
      "image/svg+xml",
      "no-cache",
    ]);
  });

  it("never reads outside the embedded files", async () => {
    for (const path of [
      "/ui/../package.json",
      "/ui/%2e%2e/package.json",
      "/ui/..%2f..%2fpackage.json",
      "/ui/assets/..%2F..%2F..%2Fpackage.json",
      "/ui/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/ui/assets/%2e%2e/index.html",
    ]) {
      const response = await fx.request(path);
      const text = await response.text();
      expect([200, 404]).toContain(response.status);
      expect(text).not.toContain('"name": "cafleet"');
      expect(text).not.toContain("root:");
      if (response.status === 200) expect(text).toBe("<!doctype html><title>CAFleet</title>");
    }
  });

  it("answers unknown API paths and other paths with a 404 JSON error", async () => {
    for (const path of ["/ui/api/nope", "/ui/api/agents/x/y/z", "/elsewhere", "/ui/api/sessions/"])
      expect(await errorOf(await fx.request(path))).toEqual({ status: 404, body: errorBody("Not Found") });
    expect(await errorOf(await fx.request("/elsewhere", { method: "POST" }))).toEqual({
      status: 404,
      body: errorBody("Not Found"),
    });
  });

  it("answers 405 with a JSON error for a known API path with the wrong method", async () => {
    const cases: [string, string, string][] = [
      ["POST", "/ui/api/sessions", "GET"],
      ["DELETE", "/ui/api/agents", "GET"],
      ["PUT", `/ui/api/agents/${crypto.randomUUID()}/inbox`, "GET"],
      ["POST", "/ui/api/timeline", "GET"],
      ["GET", "/ui/api/messages/send", "POST"],
      ["PATCH", "/ui/api/events", "GET"],
    ];
    for (const [method, path, allowed] of cases) {
      const response = await fx.request(path, { method, headers: sessionHeaders(fx) });
      expect(response.headers.get("allow")).toBe(allowed);
      expect(await errorOf(response)).toEqual({ status: 405, body: errorBody("Method Not Allowed") });
    }
  });
});

describe("without a built UI", () => {
  it("answers /ui/ with a 404 JSON error and still serves the API", async () => {
    const bare = await createApp(fx.db, { host: "127.0.0.1", port: PORT, uiDir: join(fx.dir, "no-ui") });
    try {
      const request = (path: string) => bare.handle(new Request(`http://localhost${path}`));
      for (const path of ["/ui/", "/ui/sessions"])
        expect(await errorOf(await request(path))).toEqual({ status: 404, body: errorBody("Not Found") });
      expect((await request("/ui/api/sessions")).status).toBe(200);
    } finally {
      bare.decorator.live.close();
    }
  });
});

describe("protection of a local server", () => {
  const withHost = (host: string, path = "/ui/api/sessions") => fx.request(path, { headers: { host } });

  it("accepts localhost, 127.0.0.1 and [::1] on any port", async () => {
    for (const host of ["localhost", "localhost:8000", "127.0.0.1:9999", "[::1]:8000", "LOCALHOST"])
      expect((await withHost(host)).status).toBe(200);
  });

  it("refuses other Host names with 403 Host not allowed", async () => {
    for (const host of ["evil.example", "evil.example:8000", "127.0.0.2", "localhost.evil.example"])
      expect(await errorOf(await withHost(host))).toEqual({
        status: 403,
        body: errorBody("Host not allowed"),
      });
    expect((await withHost("evil.example", "/ui/")).status).toBe(403);
  });

  it("allows the --host name, and every machine address for 0.0.0.0", async () => {
    const named = await makeFixture({ host: "cafleet.internal" });
    const wildcard = await makeFixture({ host: "0.0.0.0" });
    try {
      const sessions = (fixture: Fixture, host: string) =>
        fixture.request("/ui/api/sessions", { headers: { host } }).then((response) => response.status);
      expect(await sessions(named, "cafleet.internal:8000")).toBe(200);
      expect(await sessions(named, "other.internal")).toBe(403);
      const { hostname } = await import("node:os");
      expect(await sessions(wildcard, hostname())).toBe(200);
      expect(await sessions(wildcard, "localhost")).toBe(200);
      expect(await sessions(wildcard, "evil.example")).toBe(403);
    } finally {
      named.cleanup();
      wildcard.cleanup();
    }
  });

  const sendAs = (origin: string | null) =>
    postJson(
      fx,
      "/ui/api/messages/send",
      { from_agent_id: fx.administratorId, to_agent_id: fx.claudeId, text: "origin test" },
      origin === null ? sessionHeaders(fx) : sessionHeaders(fx, { origin }),
    );

  it("refuses writes from another origin with 403 and stores nothing", async () => {
    const before = fx.db.query("SELECT COUNT(*) AS n FROM tasks").get() as { n: number };
    for (const origin of [
      "http://evil.example",
      "http://localhost:9000",
      "http://127.0.0.1",
      "https://localhost:8000",
      "null",
    ])
      expect(await errorOf(await sendAs(origin))).toEqual({
        status: 403,
        body: errorBody("Cross-origin request refused"),
      });
    expect(fx.db.query("SELECT COUNT(*) AS n FROM tasks").get()).toEqual(before);
  });

  it("accepts writes from this server's origin or without an Origin", async () => {
    for (const origin of ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000", null])
      expect((await sendAs(origin)).status).toBe(200);
  });

  it("sends no CORS headers", async () => {
    const responses = [
      await fx.request("/ui/api/sessions", { headers: { origin: "http://evil.example" } }),
      await fx.request("/ui/api/messages/send", {
        method: "OPTIONS",
        headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
      }),
      await sendAs("http://evil.example"),
      await fx.request("/ui/"),
    ];
    for (const response of responses)
      expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });
});
