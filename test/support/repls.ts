/**
 * The pinned real REPLs (Claude Code, Codex CLI, opencode and Gemini CLI) for the real-REPL
 * tests: installed from the npm registry into `.repls/` at the repo root (gitignored), and the
 * HOME, config files and environment that make each start offline, against a scripted model
 * server, with no dialogs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

export const CLAUDE_VERSION = "2.1.328";
export const CODEX_VERSION = "0.169.0";
export const OPENCODE_VERSION = "1.18.33";
export const GEMINI_VERSION = "0.61.0";

export const REPLS_DIR = join(ROOT, ".repls");
const MODULES = join(REPLS_DIR, "node_modules");

const ARCH = process.arch === "arm64" ? "arm64" : "x64";
const CODEX_TRIPLE = ARCH === "arm64" ? "aarch64-unknown-linux-musl" : "x86_64-unknown-linux-musl";

/**
 * The native executables themselves, not the npm wrappers: `@anthropic-ai/claude-code` ships
 * `bin/claude.exe` as a placeholder that its postinstall overwrites with this same file, and
 * `@openai/codex`'s `bin/codex.js` is a Node launcher that execs this one. The platform packages
 * are plain optional dependencies, so `--ignore-scripts` installs them with nothing downloaded.
 */
export const CLAUDE_BIN = join(MODULES, `@anthropic-ai/claude-code-linux-${ARCH}`, "claude");
export const CODEX_BIN = join(
  MODULES,
  "@openai",
  `codex-linux-${ARCH}`,
  "vendor",
  CODEX_TRIPLE,
  "bin",
  "codex",
);
/**
 * `opencode-ai`'s `bin/opencode.exe` is a placeholder its postinstall replaces with the binary of
 * the platform package (also a plain optional dependency from the registry): run that one.
 */
export const OPENCODE_BIN = join(MODULES, `opencode-linux-${ARCH}`, "bin", "opencode");
/** Gemini CLI is one bundled Node script (`#!/usr/bin/env node`); the pane's process is `node`. */
export const GEMINI_BIN = join(MODULES, "@google", "gemini-cli", "bundle", "gemini.js");

/** A fake key in Anthropic's shape; Claude Code approves custom keys by their last 20 characters. */
export const FAKE_ANTHROPIC_KEY = "sk-ant-api03-cafleet-scripted-model-server-key-0123456789abcdef";
export const FAKE_OPENAI_KEY = "sk-cafleet-scripted-model-server";
export const FAKE_GEMINI_KEY = "cafleet-scripted-model-server-gemini-key";

function installedVersion(pkg: string): string | undefined {
  const manifest = join(MODULES, pkg, "package.json");
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version;
}

function installed(): boolean {
  return (
    installedVersion("@anthropic-ai/claude-code") === CLAUDE_VERSION &&
    installedVersion(`@anthropic-ai/claude-code-linux-${ARCH}`) === CLAUDE_VERSION &&
    installedVersion("@openai/codex") === CODEX_VERSION &&
    installedVersion(`opencode-linux-${ARCH}`) === OPENCODE_VERSION &&
    installedVersion("@google/gemini-cli") === GEMINI_VERSION &&
    existsSync(CLAUDE_BIN) &&
    existsSync(CODEX_BIN) &&
    existsSync(OPENCODE_BIN) &&
    existsSync(GEMINI_BIN)
  );
}

export type ReplBins = { claude: string; codex: string; opencode: string; gemini: string };

/** Installs the pinned REPLs into `.repls/` unless they are already there (about 30 s, ~1.3 GB). */
export function ensureRepls(): ReplBins {
  if (!installed()) {
    mkdirSync(REPLS_DIR, { recursive: true });
    const argv = [
      "npm",
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--prefix",
      REPLS_DIR,
      `@anthropic-ai/claude-code@${CLAUDE_VERSION}`,
      `@openai/codex@${CODEX_VERSION}`,
      `opencode-ai@${OPENCODE_VERSION}`,
      `@google/gemini-cli@${GEMINI_VERSION}`,
    ];
    const result = Bun.spawnSync(argv, { cwd: REPLS_DIR, stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0 || !installed()) {
      throw new Error(`installing the pinned REPLs failed: ${argv.join(" ")}\n${result.stderr.toString()}`);
    }
  }
  return { claude: CLAUDE_BIN, codex: CODEX_BIN, opencode: OPENCODE_BIN, gemini: GEMINI_BIN };
}

/** What a REPL needs to run: its argv (executable first) and the whole environment. */
export type ReplLaunch = { argv: string[]; env: Record<string, string> };

export type ReplOptions = {
  /** A temp folder that becomes HOME (and holds CODEX_HOME). */
  home: string;
  /** The project folder the REPL runs in (must exist). */
  cwd: string;
  /** The model server's base URL, e.g. `http://127.0.0.1:43121`. */
  modelUrl: string;
  /** Claude Code `permissions.allow` rules for the project. */
  allow?: string[];
  /** Extra folders Codex may write to inside its sandbox. */
  writableDirs?: string[];
  /** Extra environment (e.g. a PATH with `cafleet` first). */
  env?: Record<string, string>;
  /** Arguments after the fixed ones (e.g. a prompt). */
  args?: string[];
};

function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    HOME: home,
    USER: process.env.USER ?? "root",
    SHELL: "/bin/bash",
    ...extra,
  };
}

/**
 * Claude Code, offline: the onboarding flow (which checks api.anthropic.com and shows
 * "Unable to connect to Anthropic services" otherwise), the custom-key question, the trust dialog
 * and the release notes are answered in `~/.claude.json`; the project settings start it in
 * "manual" permission mode (2.1.328's default "auto" mode needs a classifier call that cannot run).
 */
export function claudeLaunch(options: ReplOptions): ReplLaunch {
  const { home, cwd } = options;
  writeFileSync(
    join(home, ".claude.json"),
    JSON.stringify(
      {
        hasCompletedOnboarding: true,
        lastOnboardingVersion: CLAUDE_VERSION,
        lastReleaseNotesSeen: CLAUDE_VERSION,
        theme: "dark",
        numStartups: 1,
        autoUpdates: false,
        customApiKeyResponses: { approved: [FAKE_ANTHROPIC_KEY.slice(-20)], rejected: [] },
        projects: {
          [cwd]: {
            hasTrustDialogAccepted: true,
            hasCompletedProjectOnboarding: true,
            projectOnboardingSeenCount: 1,
            allowedTools: [],
          },
        },
      },
      null,
      2,
    ),
  );
  mkdirSync(join(cwd, ".claude"), { recursive: true });
  writeFileSync(
    join(cwd, ".claude", "settings.json"),
    JSON.stringify({ permissions: { allow: options.allow ?? [], defaultMode: "manual" } }, null, 2),
  );
  return {
    argv: [CLAUDE_BIN, ...(options.args ?? [])],
    env: baseEnv(home, {
      ANTHROPIC_BASE_URL: options.modelUrl,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      ...options.env,
    }),
  };
}

/** TOML basic string. */
const tomlString = (value: string) => JSON.stringify(value);

/**
 * Codex CLI, offline: a `mock` provider on the model server (no OpenAI login), the project
 * trusted, no update check, no analytics. The argv gives the spec's `auto-edit` intent: the
 * workspace (and `writableDirs`) writable in the sandbox, other commands asked on request.
 */
export function codexLaunch(options: ReplOptions): ReplLaunch {
  const { home, cwd } = options;
  const codexHome = join(home, ".codex");
  mkdirSync(codexHome, { recursive: true });
  const config = [
    `model = "mock-model"`,
    `model_provider = "mock"`,
    "check_for_update_on_startup = false",
    "",
    "[model_providers.mock]",
    `name = "mock"`,
    `base_url = ${tomlString(`${options.modelUrl}/v1`)}`,
    `wire_api = "responses"`,
    `env_key = "CAFLEET_MOCK_API_KEY"`,
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
    `[projects.${tomlString(cwd)}]`,
    `trust_level = "trusted"`,
    "",
    "[analytics]",
    "enabled = false",
    "",
  ].join("\n");
  writeFileSync(join(codexHome, "config.toml"), config);
  const addDirs = (options.writableDirs ?? []).flatMap((dir) => ["--add-dir", dir]);
  return {
    argv: [CODEX_BIN, ...codexArgs(), ...addDirs, ...(options.args ?? [])],
    env: baseEnv(home, { CODEX_HOME: codexHome, CAFLEET_MOCK_API_KEY: FAKE_OPENAI_KEY, ...options.env }),
  };
}

/** Codex 0.169's flags for "edits allowed, commands asked" (it rejects `--approval-mode`). */
export function codexArgs(): string[] {
  return ["--ask-for-approval", "on-request", "--sandbox", "workspace-write", "--no-daemon"];
}

/** The model opencode starts with: a row of the models list bundled in its binary. */
export const OPENCODE_DEFAULT_MODEL = "anthropic/claude-sonnet-4-5";

/**
 * opencode, offline: its bundled `anthropic` provider with `baseURL` on the model server (no
 * provider package is downloaded), the models list bundled in the binary instead of models.dev,
 * no auto-update, no sharing, no LSP downloads. Its background install of `@opencode-ai/plugin`
 * into the config folder goes to a dead registry address and fails at once. The member's allow
 * rule comes from the backend's argv (`OPENCODE_CONFIG_CONTENT`), merged over this file.
 */
export function opencodeLaunch(options: ReplOptions): ReplLaunch {
  const { home } = options;
  const configDir = join(home, ".config", "opencode");
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, "opencode.json"),
    JSON.stringify(
      {
        $schema: "https://opencode.ai/config.json",
        model: OPENCODE_DEFAULT_MODEL,
        autoupdate: false,
        share: "disabled",
        provider: {
          anthropic: { options: { baseURL: `${options.modelUrl}/v1`, apiKey: FAKE_ANTHROPIC_KEY } },
        },
      },
      null,
      2,
    ),
  );
  return {
    argv: [OPENCODE_BIN, ...(options.args ?? [])],
    env: baseEnv(home, {
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_SHARE: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
      npm_config_registry: DEAD_REGISTRY,
      NPM_CONFIG_REGISTRY: DEAD_REGISTRY,
      ...options.env,
    }),
  };
}

/** Port 9 (discard) on loopback: nothing listens, so a package fetch fails at once. */
const DEAD_REGISTRY = "http://127.0.0.1:9/";

/**
 * Gemini CLI, offline: an API key and `GOOGLE_GEMINI_BASE_URL` on the model server (the Gemini
 * API's `streamGenerateContent`), and `~/.gemini/settings.json` with the folder-trust dialog,
 * auto-update, usage statistics, telemetry and the IDE nudge off.
 */
export function geminiLaunch(options: ReplOptions): ReplLaunch {
  const { home } = options;
  const dir = join(home, ".gemini");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "settings.json"),
    JSON.stringify(
      {
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
        security: { folderTrust: { enabled: false }, auth: { selectedType: "gemini-api-key" } },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        ide: { enabled: false, hasSeenNudge: true },
      },
      null,
      2,
    ),
  );
  return {
    argv: [GEMINI_BIN, ...(options.args ?? [])],
    env: baseEnv(home, {
      GEMINI_API_KEY: FAKE_GEMINI_KEY,
      GOOGLE_GEMINI_BASE_URL: options.modelUrl,
      ...options.env,
    }),
  };
}
