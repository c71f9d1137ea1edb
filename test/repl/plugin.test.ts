import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { ROOT } from "../support/cli.ts";
import { text } from "../support/model-server.ts";
import { CLAUDE_BIN, ensureRepls } from "../support/repls.ts";
import { ReplFleet } from "./fleet.ts";

/** The plugin and the skills as a user installs them, checked by the real Claude Code 2.1.328. */

setDefaultTimeout(120_000);

describe("claude plugin validate", () => {
  it("accepts this repository as a plugin directory: licence and icon present, nothing to report", () => {
    ensureRepls();
    const home = mkdtempSync(join(tmpdir(), "cafleet-validate-"));
    try {
      const result = Bun.spawnSync([CLAUDE_BIN, "plugin", "validate", "--profile", "directory", ROOT], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const output = result.stdout.toString() + result.stderr.toString();
      expect({ exitCode: result.exitCode, refused: /✘|LICENSE_MISSING|ICON_MISSING/.test(output) }).toEqual({
        exitCode: 0,
        refused: false,
      });
      expect(output).toContain("✔ These checks found nothing to report");
      expect(output).toContain("✔ Validation passed");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("a claude member and its skill", () => {
  let fleet: ReplFleet;
  beforeAll(() => {
    fleet = new ReplFleet("skills");
    fleet.createSession();
    fleet.server.respond(() => text("ready"));
  }, 120_000);
  afterAll(() => fleet.dispose());

  /** The skill listing Claude Code sends in the member's first request. */
  async function firstRequestOf(agentId: string): Promise<string> {
    const turn = await fleet.server.waitForTurn(
      (candidate) => candidate.userText?.includes(agentId) ?? false,
      30_000,
    );
    return JSON.stringify(turn.body);
  }

  it("warns the Director when the skill is not where Claude Code looks, and the member has no cafleet skill", async () => {
    const { member, stderr } = fleet.spawnMember("Bare", "claude");
    expect(stderr).toBe(
      "Warning: the cafleet skill is not installed where Claude Code looks; run 'cafleet skills install' or pass --install-skills.\n",
    );
    const body = await firstRequestOf(member.agent_id);
    expect(body).toContain("available for use with the Skill tool");
    expect(body).not.toContain("\\n- cafleet:");
    expect(fleet.member("delete", member.agent_id, ["--force"]).exitCode).toBe(0);
  });

  it("with --install-skills installs the stamped skills first, and the member's first request lists cafleet", async () => {
    const { member, stderr } = fleet.spawnMember("Skilled", "claude", ["--install-skills"]);
    expect(stderr).toBe("");
    const skill = readFileSync(join(fleet.home, ".claude/skills/cafleet/SKILL.md"), "utf8");
    expect(skill).toContain(`metadata:\n  cafleet-version: "${version}"`);
    const body = await firstRequestOf(member.agent_id);
    expect(body).toContain("\\n- cafleet: Work in a team of coding agents");
    expect(fleet.member("delete", member.agent_id, ["--force"]).exitCode).toBe(0);
  });
});
