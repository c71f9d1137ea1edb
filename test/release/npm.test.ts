/**
 * The npm distribution end to end: the host's platform package (holding the real dist/cafleet)
 * and the `cafleet` shim package are laid out, `npm pack`ed and installed with
 * `npm install -g --prefix <tmp> <tarballs>` (offline: local tarballs need no registry); then the
 * installed `cafleet` command runs a quick start and must pass exit codes and signals through.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { npmPack, writeMainPackage, writePlatformPackage } from "../../scripts/npm-packages.ts";
import { bunTarget, hostPlatform, type Platform, platformKey } from "../../scripts/platforms.ts";
import {
  BINARY,
  type CliResult,
  type Env,
  isolatedEnv,
  makeTempDir,
  ROOT,
  runCafleet,
} from "../support/cli.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";

const host = hostPlatform();
const SESSION_ID_REQUIRED =
  "Error: --session-id <uuid> is required for this subcommand. Create a session with 'cafleet session create' and pass its id.\n";

const temp = makeTempDir("cafleet-npm-");
const prefix = join(temp.dir, "prefix");
const shim = join(prefix, "bin/cafleet");
const tmux = new PrivateTmux("npm");
// npm's cache and config stay inside the temp folder; --offline keeps the registry out of it.
const npmEnv: Env = {
  ...process.env,
  npm_config_cache: join(temp.dir, "npm-cache"),
  npm_config_userconfig: join(temp.dir, "npmrc"),
  npm_config_update_notifier: "false",
  npm_config_audit: "false",
  npm_config_fund: "false",
};

function runShim(args: string[], env: Env): CliResult {
  const result = Bun.spawnSync([shim, ...args], {
    env: env as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  return {
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    exitCode: result.exitCode ?? -1,
  };
}

type Ending = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

/** Starts the installed command in its own process group (as a shell job would be). */
function startShim(args: string[], env: Env) {
  const child = spawn(shim, args, { env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const ended = new Promise<Ending>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ended };
}

function childPids(pid: number): number[] {
  const result = Bun.spawnSync(["pgrep", "-P", String(pid)], { stdout: "pipe" });
  return result.stdout.toString().split(/\s+/).filter(Boolean).map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The shim's pid and the binary's pid once `poll --wait` is running under it. */
async function startWaitingPoll(env: Env, sessionId: string, agentId: string) {
  const started = startShim(["--session-id", sessionId, "poll", "--agent-id", agentId, "--wait", "30"], env);
  const shimPid = started.child.pid!;
  let binaryPid = 0;
  expect(
    await waitFor(() => {
      binaryPid = childPids(shimPid)[0] ?? 0;
      return binaryPid !== 0;
    }, 10_000),
  ).toBe(true);
  // Time for the binary to open the database and install its signal handlers.
  await Bun.sleep(1500);
  return { ...started, shimPid, binaryPid };
}

let env: Env;
let sessionId = "";
let agentId = "";

beforeAll(() => {
  if (!host) throw new Error(`no cafleet platform package for ${process.platform}-${process.arch}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(temp.dir, "npmrc"), "");
  const packages = join(temp.dir, "packages");
  const tarballs = [
    npmPack(writePlatformPackage(host, BINARY, packages), packages, npmEnv),
    npmPack(writeMainPackage(packages), packages, npmEnv),
  ];
  const install = Bun.spawnSync(["npm", "install", "-g", "--offline", "--prefix", prefix, ...tarballs], {
    cwd: temp.dir,
    env: npmEnv as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (install.exitCode !== 0) throw new Error(`npm install failed: ${install.stderr.toString()}`);
  env = isolatedEnv(temp.dir);
}, 60_000);

afterAll(() => {
  tmux.kill();
  temp.cleanup();
}, 60_000);

describe("npm install -g of the packed tarballs", () => {
  test("installs the shim as bin/cafleet and the binary as an executable beside it", () => {
    const modules = join(prefix, "lib/node_modules");
    expect(existsSync(join(modules, "cafleet/bin/cafleet.js"))).toBe(true);
    const binary = join(modules, `@cafleet/${platformKey(host as Platform)}/bin/cafleet`);
    expect(statSync(binary).mode & 0o777).toBe(0o755);
    expect(statSync(binary).size).toBe(statSync(BINARY).size);
  });

  test("both packages carry the MIT licence: the field and the LICENSE file", () => {
    const licence = readFileSync(join(ROOT, "LICENSE"), "utf8");
    for (const name of ["cafleet", `@cafleet/${platformKey(host as Platform)}`]) {
      const dir = join(prefix, "lib/node_modules", name);
      expect([name, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).license]).toEqual([
        name,
        "MIT",
      ]);
      expect([name, readFileSync(join(dir, "LICENSE"), "utf8")]).toEqual([name, licence]);
    }
  });

  test("cafleet --version and cafleet version --json through the shim", () => {
    expect(runShim(["--version"], env)).toEqual({ stdout: `cafleet ${version}\n`, stderr: "", exitCode: 0 });
    const direct = runCafleet(["version", "--json"], env);
    const viaShim = runShim(["version", "--json"], env);
    expect(viaShim).toEqual(direct);
    expect(JSON.parse(viaShim.stdout).target).toBe(bunTarget(host as Platform));
  });

  test("quick start: db init, session create, register, session list", () => {
    const dbPath = join(temp.dir, "cafleet.db");
    expect(runShim(["db", "init"], env).stdout).toMatch(
      new RegExp(
        `^Created ${dbPath.replaceAll(".", "\\.")} and applied migrations to head \\(\\d+\\)\\.\\n$`,
      ),
    );
    const pane = tmux.start("main", { HOME: temp.dir });
    const created = runShim(["session", "create", "--label", "npm", "--json"], {
      ...env,
      ...tmux.envFor(pane),
    });
    expect(created.stderr).toBe("");
    expect(created.exitCode).toBe(0);
    sessionId = JSON.parse(created.stdout).session_id;
    const registered = runShim(
      ["--session-id", sessionId, "--json", "register", "--name", "worker", "--description", "Runs jobs"],
      env,
    );
    expect(registered.exitCode).toBe(0);
    agentId = JSON.parse(registered.stdout).agent_id;
    expect(agentId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = runShim(["session", "list", "--json"], env);
    expect(listed.exitCode).toBe(0);
    const sessions = JSON.parse(listed.stdout) as {
      session_id: string;
      label: string;
      agent_count: number;
    }[];
    expect(sessions.map(({ session_id, label }) => ({ session_id, label }))).toEqual([
      { session_id: sessionId, label: "npm" },
    ]);
    expect(listed).toEqual(runCafleet(["session", "list", "--json"], env));
  });

  test("exit codes and stderr pass through unchanged", () => {
    expect(runShim(["send", "--agent-id", "a", "--to", "b", "--text", "hi"], env)).toEqual({
      stdout: "",
      stderr: SESSION_ID_REQUIRED,
      exitCode: 1,
    });
    const unknown = runShim(["no-such-command"], env);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trimEnd().split("\n").at(-1)).toBe("Error: No such command 'no-such-command'.");
    expect(unknown).toEqual(runCafleet(["no-such-command"], env));
  });

  test("SIGTERM to the shim reaches the binary: poll --wait exits 143", async () => {
    const poll = await startWaitingPoll(env, sessionId, agentId);
    process.kill(poll.shimPid, "SIGTERM");
    expect(await poll.ended).toEqual({ code: 143, signal: null, stderr: "" });
    expect(await waitFor(() => !isAlive(poll.binaryPid), 5000)).toBe(true);
  }, 20_000);

  test("Ctrl-C to the process group: the binary's own SIGINT decides, exit 130", async () => {
    const poll = await startWaitingPoll(env, sessionId, agentId);
    process.kill(-poll.shimPid, "SIGINT");
    expect(await poll.ended).toEqual({ code: 130, signal: null, stderr: "" });
  }, 20_000);

  test("SIGINT to the shim alone is passed on after its grace period", async () => {
    const poll = await startWaitingPoll(env, sessionId, agentId);
    process.kill(poll.shimPid, "SIGINT");
    expect(await poll.ended).toEqual({ code: 130, signal: null, stderr: "" });
  }, 20_000);

  test("a binary killed by a signal makes the shim die of the same signal", async () => {
    const poll = await startWaitingPoll(env, sessionId, agentId);
    process.kill(poll.binaryPid, "SIGKILL");
    expect(await poll.ended).toEqual({ code: null, signal: "SIGKILL", stderr: "" });
  }, 20_000);
});

describe("the shim without its binary", () => {
  const alone = makeTempDir("cafleet-shim-");
  afterAll(() => alone.cleanup());

  function runWithNode(args: string[]): CliResult {
    const result = Bun.spawnSync(["node", ...args], { cwd: alone.dir, stdout: "pipe", stderr: "pipe" });
    return {
      stdout: result.stdout.toString(),
      stderr: result.stderr.toString(),
      exitCode: result.exitCode ?? -1,
    };
  }

  test("an unsupported platform gets one clear error line", () => {
    const dir = writeMainPackage(alone.dir);
    const fakePlatform = join(alone.dir, "aix.cjs");
    writeFileSync(fakePlatform, 'Object.defineProperty(process, "platform", { value: "aix" });\n');
    expect(runWithNode(["--require", fakePlatform, join(dir, "bin/cafleet.js"), "--version"])).toEqual({
      stdout: "",
      stderr: `Error: cafleet ${version} has no prebuilt binary for aix-${process.arch} (available: linux-x64, linux-arm64, darwin-x64, darwin-arm64). Build it from source (see "Build from source" in cafleet's README).\n`,
      exitCode: 1,
    });
  });

  test("Linux without glibc is told why instead of 'not installed'", () => {
    const dir = writeMainPackage(alone.dir);
    const fakeMusl = join(alone.dir, "musl.cjs");
    writeFileSync(
      fakeMusl,
      'Object.defineProperty(process, "platform", { value: "linux" });\nprocess.report.getReport = () => ({ header: {} });\n',
    );
    expect(runWithNode(["--require", fakeMusl, join(dir, "bin/cafleet.js"), "--version"])).toEqual({
      stdout: "",
      stderr: `Error: cafleet's Linux binaries need glibc, which this system (musl, e.g. Alpine) lacks. Build it from source (see "Build from source" in cafleet's README).\n`,
      exitCode: 1,
    });
  });

  test("a missing platform package (--omit=optional) says what to reinstall", () => {
    const dir = writeMainPackage(alone.dir);
    const key = platformKey(host as Platform);
    expect(runWithNode([join(dir, "bin/cafleet.js"), "--version"])).toEqual({
      stdout: "",
      stderr: `Error: the package @cafleet/${key} that holds cafleet's binary for ${key} is not installed. Reinstall cafleet without --omit=optional / --no-optional.\n`,
      exitCode: 1,
    });
  });
});
