/**
 * bun run release: the host build (build.ts: web UI, server bundle, dist/cafleet), then
 * dist/cafleet-<os>-<arch> for every platform of scripts/platforms.ts, dist/SHA256SUMS, a smoke
 * test of the host's binary (`--version`, `version`, `server` serving /ui/), and the npm packages
 * packed under dist/npm/.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compile, smokeTest } from "./build.ts";
import { hasValidSignature, signAdhoc } from "./scripts/macho-sign.ts";
import { buildNpmPackages } from "./scripts/npm-packages.ts";
import { binaryName, bunTarget, hostPlatform, PLATFORMS, type Platform } from "./scripts/platforms.ts";

const root = import.meta.dir;
const dist = join(root, "dist");

function hostBuild(): void {
  const result = Bun.spawnSync([process.execPath, "run", "build.ts"], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (result.exitCode !== 0) throw new Error("bun run build failed");
}

/** `sha256sum` format (two spaces), so `sha256sum -c SHA256SUMS` verifies a download. */
export function checksumLines(files: string[]): string {
  return files
    .map((file) => `${createHash("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}\n`)
    .join("");
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** `version` must name the target the binary was compiled for. */
function checkVersionCommand(binary: string, target: string): void {
  const result = Bun.spawnSync([binary, "version", "--json"], { stdout: "pipe", stderr: "pipe" });
  const report = JSON.parse(result.stdout.toString()) as { target?: string };
  if (result.exitCode !== 0 || report.target !== target)
    throw new Error(`smoke test: version --json said ${result.stdout.toString().trim()}, wanted ${target}`);
}

/** Starts `server` on a free port with a throwaway database and expects the UI page at /ui/. */
async function checkServerServesUi(binary: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "cafleet-release-"));
  const port = freePort();
  const server = Bun.spawn([binary, "server", "--host", "127.0.0.1", "--port", String(port)], {
    env: { ...process.env, HOME: home, CAFLEET_DATABASE_URL: `sqlite:///${join(home, "cafleet.db")}` },
    stdout: "ignore",
    stderr: "pipe",
  });
  try {
    const deadline = performance.now() + 15_000;
    while (performance.now() < deadline) {
      if (server.exitCode !== null)
        throw new Error(
          `smoke test: server exited ${server.exitCode}: ${await new Response(server.stderr).text()}`,
        );
      const response = await fetch(`http://127.0.0.1:${port}/ui/`).catch(() => undefined);
      if (response) {
        const body = await response.text();
        if (response.status !== 200 || !/<html/i.test(body))
          throw new Error(`smoke test: GET /ui/ answered ${response.status} without an HTML page`);
        return;
      }
      await Bun.sleep(100);
    }
    throw new Error("smoke test: server did not answer on /ui/ within 15 s");
  } finally {
    server.kill();
    await server.exited;
    rmSync(home, { recursive: true, force: true });
  }
}

/** macOS kills a process whose code signature does not match its pages: see scripts/macho-sign.ts. */
function ensureMacSignature(platform: Platform, binary: string): void {
  if (platform.os !== "darwin" || hasValidSignature(binary)) return;
  signAdhoc(binary);
  if (!hasValidSignature(binary)) throw new Error(`could not sign ${binary}`);
  console.log(`re-signed ${binaryName(platform)} ad hoc (Bun left the runtime's stale signature)`);
}

export async function release(): Promise<void> {
  hostBuild();
  const binaries: string[] = [];
  for (const platform of PLATFORMS) {
    const outfile = join(dist, binaryName(platform));
    const started = performance.now();
    await compile(outfile, bunTarget(platform));
    ensureMacSignature(platform, outfile);
    binaries.push(outfile);
    console.log(
      `built dist/${binaryName(platform)} (${(statSync(outfile).size / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
  }
  writeFileSync(join(dist, "SHA256SUMS"), checksumLines(binaries));
  console.log("wrote dist/SHA256SUMS");
  const host = hostPlatform();
  if (host) {
    const binary = join(dist, binaryName(host));
    smokeTest(binary);
    checkVersionCommand(binary, bunTarget(host));
    await checkServerServesUi(binary);
    console.log(`smoke-tested dist/${binaryName(host)}: --version, version, server /ui/`);
  } else console.log(`no release binary runs on ${process.platform}-${process.arch}: smoke test skipped`);
  for (const tarball of buildNpmPackages(dist, join(dist, "npm"))) console.log(`packed ${tarball}`);
}

if (import.meta.main) {
  try {
    await release();
  } catch (error) {
    console.error(`release failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
