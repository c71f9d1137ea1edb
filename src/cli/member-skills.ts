import type { CodingAgent } from "../broker/member-prompt.ts";
import { writeStderr } from "../output.ts";
import { userSkillsDir } from "../skills/claude-dirs.ts";
import { installEmbeddedSkills } from "../skills/install.ts";
import { findCafleetSkill } from "../skills/locate.ts";
import type { Env } from "./options.ts";

/**
 * Before `member create` or `member respawn` starts a coding agent. With `--install-skills`, the
 * embedded skills are written into the user's skills folder first (as `cafleet skills install`,
 * without its listing). Otherwise a claude member, whose prompt begins `Load Skill(cafleet)`, gets
 * the Director one warning line when Claude Code would find no cafleet skill for it; stdout and
 * the exit code stay as they are.
 */
export async function prepareMemberSkills(
  env: Env,
  codingAgent: CodingAgent,
  installSkills: boolean,
): Promise<void> {
  if (installSkills) {
    await installEmbeddedSkills(userSkillsDir(env));
    return;
  }
  if (codingAgent !== "claude" || findCafleetSkill(env, process.cwd()).length > 0) return;
  await writeStderr(
    "Warning: the cafleet skill is not installed where Claude Code looks; run 'cafleet skills install' or pass --install-skills.\n",
  );
}
