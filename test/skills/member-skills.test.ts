import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { runCafleet } from "../support/cli.ts";
import { type DirectorSession, MemberHarness } from "../tmux/harness.ts";
import { installPlugin, newUser, type User, userSkill } from "./support.ts";

const WARNING =
  "Warning: the cafleet skill is not installed where Claude Code looks; run 'cafleet skills install' or pass --install-skills.\n";

let h: MemberHarness;
let session: DirectorSession;
beforeAll(() => {
  h = new MemberHarness("memberskills");
  session = h.createSession();
}, 60_000);
afterAll(() => h.dispose());

function create(user: User, name: string, extra: string[] = []) {
  return user.run(h.memberCreateArgs(session, name, extra));
}

function paneOf(stdout: string): string {
  return stdout.split("\n")[4]!.replace("  pane_id:   ", "");
}

/** The fake claude in `pane` was started as a member told to load the skill. */
async function expectClaudeStarted(pane: string, name: string): Promise<void> {
  const argv = await h.argvOf(pane);
  expect(argv.slice(0, 3)).toEqual(["claude", "--name", name]);
  expect(argv[3]).toStartWith("Load Skill(cafleet). ");
}

describe("member create looks for the cafleet skill its claude member is told to load", () => {
  it("warns the Director in one stderr line when Claude Code would find none; stdout, exit code and spawn unchanged", async () => {
    const user = newUser(h);
    const result = create(user, "NoSkill");
    expect(result.stderr).toBe(WARNING);
    expect(result.exitCode).toBe(0);
    const agentId = result.stdout.split("\n")[1]!.replace("  agent_id:  ", "");
    expect(agentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.stdout).toBe(
      [
        "Member registered and spawned.",
        `  agent_id:  ${agentId}`,
        "  name:      NoSkill",
        "  backend:   claude",
        `  pane_id:   ${paneOf(result.stdout)}`,
        `  window_id: ${h.windowId}`,
        "",
      ].join("\n"),
    );
    await expectClaudeStarted(paneOf(result.stdout), "NoSkill");

    const json = user.run(["--json", ...h.memberCreateArgs(session, "NoSkillJson")]);
    expect([json.stderr, json.exitCode]).toEqual([WARNING, 0]);
    expect(JSON.parse(json.stdout).name).toBe("NoSkillJson");
  });

  it("says nothing when the skill is in the user's folder, the project's, or an installed plugin", () => {
    const inHome = newUser(h);
    inHome.run(["skills", "install"]);
    const inProject = newUser(h);
    inProject.run(["skills", "install", "--dir", join(inProject.project, ".claude", "skills")]);
    const viaPlugin = newUser(h);
    installPlugin(viaPlugin, { version });
    for (const [user, name] of [
      [inHome, "UserSkill"],
      [inProject, "ProjectSkill"],
      [viaPlugin, "PluginSkill"],
    ] as const) {
      const result = create(user, name);
      expect([name, result.stderr, result.exitCode]).toEqual([name, "", 0]);
    }
  });

  it("does not warn for a codex member, which gets the command shapes in its prompt instead", () => {
    const result = create(newUser(h), "CodexNoSkill", ["--coding-agent", "codex"]);
    expect([result.stderr, result.exitCode]).toEqual(["", 0]);
  });

  it("--install-skills writes the skills into the user's folder first, then the member starts", async () => {
    const user = newUser(h);
    const result = create(user, "Installed", ["--install-skills"]);
    expect([result.stderr, result.exitCode]).toEqual(["", 0]);
    expect(result.stdout).toStartWith("Member registered and spawned.\n");
    await expectClaudeStarted(paneOf(result.stdout), "Installed");
    const skills = join(user.home, ".claude", "skills");
    expect(readdirSync(skills).sort()).toEqual([
      "cafleet",
      "cafleet-monitoring",
      "design-doc",
      "design-doc-create",
      "design-doc-execute",
    ]);
    expect(readFileSync(join(userSkill(user), "SKILL.md"), "utf8")).toContain(
      `\nmetadata:\n  cafleet-version: "${version}"\n---\n`,
    );
    expect(user.run(["doctor"]).stdout).toContain(
      `  user:          ${version}, current (${userSkill(user)})\n`,
    );
    // The next member finds it without being asked.
    expect(create(user, "AfterInstall").stderr).toBe("");
  });

  it("--install-skills that cannot write fails before anything is registered", () => {
    const user = newUser(h);
    const home = join(user.home, "a-file");
    writeFileSync(home, "");
    const args = h.memberCreateArgs(session, "Unwritable", ["--install-skills"]);
    const result = runCafleet(args, h.env({ HOME: home }), { cwd: user.project });
    expect([result.stdout, result.exitCode]).toEqual(["", 1]);
    expect(result.stderr).toStartWith(`Error: cannot write ${join(home, ".claude", "skills")}/`);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(h.sql("SELECT agent_id FROM agents WHERE name = 'Unwritable'")).toEqual([]);
  });
});

describe("member respawn", () => {
  it("warns the same way, and --install-skills installs before the new pane starts", async () => {
    const member = h.createMember(session, "Respawned");
    h.tmux.tmux(["kill-pane", "-t", member.placement.tmux_pane_id]);
    const args = ["--session-id", session.sessionId, "member", "respawn", "--agent-id", session.directorId];
    const user = newUser(h);
    const warned = user.run([...args, "--member-id", member.agent_id]);
    expect([warned.stderr, warned.exitCode]).toEqual([WARNING, 0]);
    const pane = warned.stdout.split("\n")[4]!.replace(/^ {2}pane_id: {3}(%\d+) .*$/, "$1");
    h.tmux.tmux(["kill-pane", "-t", pane]);

    const installed = user.run([...args, "--member-id", member.agent_id, "--install-skills"]);
    expect([installed.stderr, installed.exitCode]).toEqual(["", 0]);
    expect(existsSync(join(userSkill(user), "SKILL.md"))).toBe(true);
    const newPane = installed.stdout.split("\n")[4]!.replace(/^ {2}pane_id: {3}(%\d+) .*$/, "$1");
    await expectClaudeStarted(newPane, "Respawned");
  });
});
