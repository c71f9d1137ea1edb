#!/usr/bin/env node

/**
 * The `cafleet` command of the npm package: it finds the prebuilt binary that npm installed from
 * the optional dependency matching this machine (@cafleet/<platform>-<arch>) and runs it with
 * the same arguments, stdio, exit code and terminating signal. Plain Node, no dependencies.
 */
const { spawn } = require("node:child_process");
const { constants } = require("node:os");
const { optionalDependencies, version } = require("../package.json");

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
// Ctrl-C reaches the whole foreground process group, so the binary usually has its SIGINT already;
// passing it on at once would hand it a second one while it exits (e.g. `poll --wait` → 130).
const SIGINT_GRACE_MS = 250;

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

// npm skips the glibc-only platform package on musl; say why instead of "not installed".
function hasGlibc() {
  const report = process.report?.getReport();
  return Boolean(report?.header?.glibcVersionRuntime);
}

function binaryPath() {
  const key = `${process.platform}-${process.arch}`;
  const supported = Object.keys(optionalDependencies).map((name) => name.replace("@cafleet/", ""));
  if (!supported.includes(key))
    fail(
      `cafleet ${version} has no prebuilt binary for ${key} (available: ${supported.join(", ")}). Build it from source (see "Build from source" in cafleet's README).`,
    );
  const packageName = `@cafleet/${key}`;
  try {
    return require.resolve(`${packageName}/bin/cafleet`);
  } catch {
    if (process.platform === "linux" && !hasGlibc())
      return fail(
        `cafleet's Linux binaries need glibc, which this system (musl, e.g. Alpine) lacks. Build it from source (see "Build from source" in cafleet's README).`,
      );
    return fail(
      `the package ${packageName} that holds cafleet's binary for ${key} is not installed. Reinstall cafleet without --omit=optional / --no-optional.`,
    );
  }
}

function run(binary) {
  const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
  const pass = (signal) => {
    try {
      child.kill(signal);
    } catch {
      // The child is already gone; its exit decides ours.
    }
  };
  const forward = (signal) => {
    if (signal !== "SIGINT") return pass(signal);
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) pass(signal);
    }, SIGINT_GRACE_MS).unref();
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on("error", (error) => fail(`could not run ${binary}: ${error.message}`));
  child.on("exit", (code, signal) => {
    if (signal) {
      // Die of the same signal so the caller sees what the binary saw.
      for (const name of FORWARDED_SIGNALS) process.removeListener(name, forward);
      process.kill(process.pid, signal);
      // A signal Node survives (SIGPIPE is ignored) still ends us with the shell's 128+n.
      setTimeout(() => process.exit(128 + (constants.signals[signal] || 0)), 100);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

run(binaryPath());
