import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { ROOT } from "../support/cli.ts";
import { MemberHarness } from "../tmux/harness.ts";
import { disablePlugin, installPlugin, newUser, restamp, type User, userSkill } from "./support.ts";

let h: MemberHarness;
beforeAll(() => {
  h = new MemberHarness("doctor");
}, 60_000);
afterAll(() => h.dispose());

/** `cafleet doctor`: the five tmux lines of cli.md §6.7 unchanged, then the skill report. */
function doctor(user: User, cwd?: string): string[] {
  const result = user.run(["doctor"], cwd);
  expect([result.stderr, result.exitCode]).toEqual(["", 0]);
  const lines = result.stdout.split("\n");
  expect(lines.slice(0, 5)).toEqual([
    "tmux:",
    "  session_name:  main",
    `  window_id:     ${h.windowId}`,
    `  pane_id:       ${h.directorPane}`,
    `  TMUX_PANE:     ${h.directorPane}`,
  ]);
  expect(lines.at(-1)).toBe("");
  return lines.slice(5, -1);
}

const BINARY_LINE = `  binary:        ${version}`;

describe("cafleet doctor reports the cafleet skill", () => {
  it("a current install in the user's folder, with no fix", () => {
    const user = newUser(h);
    expect(user.run(["skills", "install"]).exitCode).toBe(0);
    expect(doctor(user)).toEqual([
      "skills:",
      BINARY_LINE,
      `  user:          ${version}, current (${userSkill(user)})`,
      "  project:       not installed",
      "  plugin:        not installed",
    ]);
  });

  it("a stale install, with the command that fixes it; after running it the copy is current", () => {
    const user = newUser(h);
    user.run(["skills", "install"]);
    restamp(userSkill(user), "0.0.9");
    expect(doctor(user)).toEqual([
      "skills:",
      BINARY_LINE,
      `  user:          0.0.9, older than this binary (${userSkill(user)})`,
      "  project:       not installed",
      "  plugin:        not installed",
      "  fix:           cafleet skills install",
    ]);
    expect(user.run(["skills", "install"]).exitCode).toBe(0);
    expect(doctor(user)[2]).toBe(`  user:          ${version}, current (${userSkill(user)})`);
  });

  it("a copy that records no version (written before versions were recorded) as stale", () => {
    const user = newUser(h);
    mkdirSync(userSkill(user), { recursive: true });
    copyFileSync(join(ROOT, "skills/cafleet/SKILL.md"), join(userSkill(user), "SKILL.md"));
    expect(doctor(user)).toEqual([
      "skills:",
      BINARY_LINE,
      `  user:          no version recorded (${userSkill(user)})`,
      "  project:       not installed",
      "  plugin:        not installed",
      "  fix:           cafleet skills install",
    ]);
  });

  it("a missing install, with the command that installs it", () => {
    expect(doctor(newUser(h))).toEqual([
      "skills:",
      BINARY_LINE,
      "  user:          not installed",
      "  project:       not installed",
      "  plugin:        not installed",
      "  fix:           cafleet skills install",
    ]);
  });

  it("the project's copy, found from a subfolder, with --dir in its fix", () => {
    const user = newUser(h);
    const skills = join(user.project, ".claude", "skills");
    user.run(["skills", "install", "--dir", skills]);
    restamp(join(skills, "cafleet"), "0.0.9");
    const subfolder = join(user.project, "src", "cli");
    mkdirSync(subfolder, { recursive: true });
    expect(doctor(user, subfolder)).toEqual([
      "skills:",
      BINARY_LINE,
      "  user:          not installed",
      `  project:       0.0.9, older than this binary (${join(skills, "cafleet")})`,
      "  plugin:        not installed",
      `  fix:           cafleet skills install --dir ${skills}`,
    ]);
  });

  it("an installed cafleet plugin at the version Claude Code recorded, with its update command", () => {
    const user = newUser(h);
    const current = installPlugin(user, { version });
    const stale = installPlugin(user, { version: "0.0.9", scope: "project", projectPath: user.project });
    // A project install of another folder does not reach this one.
    installPlugin(user, { version: "0.0.8", scope: "local", projectPath: join(h.dir, "elsewhere") });
    expect(doctor(user)).toEqual([
      "skills:",
      BINARY_LINE,
      "  user:          not installed",
      "  project:       not installed",
      `  plugin:        ${version}, current (cafleet@cafleet, user scope, ${current})`,
      `  plugin:        0.0.9, older than this binary (cafleet@cafleet, project scope, ${stale})`,
      "  fix:           claude plugin update cafleet@cafleet --scope project",
    ]);
  });

  it("a disabled plugin as not installed", () => {
    const user = newUser(h);
    installPlugin(user, { version });
    disablePlugin(user);
    expect(doctor(user)).toContain("  plugin:        not installed");
    expect(doctor(user).at(-1)).toBe("  fix:           cafleet skills install");
  });

  it("a copy newer than the binary, with no fix", () => {
    const user = newUser(h);
    user.run(["skills", "install"]);
    restamp(userSkill(user), "99.0.0");
    expect(doctor(user).slice(2)).toEqual([
      `  user:          99.0.0, newer than this binary (${userSkill(user)})`,
      "  project:       not installed",
      "  plugin:        not installed",
    ]);
  });

  it("the same as JSON, after the tmux object", () => {
    const user = newUser(h);
    user.run(["skills", "install"]);
    restamp(userSkill(user), "0.0.9");
    const plugin = installPlugin(user, { version });
    const result = user.run(["--json", "doctor"]);
    expect(JSON.parse(result.stdout)).toEqual({
      tmux: {
        session_name: "main",
        window_id: h.windowId,
        pane_id: h.directorPane,
        tmux_pane_env: h.directorPane,
      },
      skills: {
        binary_version: version,
        copies: [
          { where: "user", path: userSkill(user), version: "0.0.9", state: "older" },
          {
            where: "plugin",
            path: plugin,
            version,
            state: "current",
            plugin_id: "cafleet@cafleet",
            scope: "user",
          },
        ],
        fix: ["cafleet skills install"],
      },
    });
  });
});
