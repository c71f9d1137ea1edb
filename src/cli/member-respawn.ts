import { openDatabase } from "../broker/db.ts";
import { markPaneGone } from "../broker/delivery.ts";
import { type CodingAgent, promptTemplate, resolvePrompt } from "../broker/member-prompt.ts";
import {
  directorName,
  readMemberSettings,
  replaceMemberPane,
  requireTeamMember,
  writeMemberSettings,
} from "../broker/members.ts";
import { memberPaneRef } from "../broker/pane-address.ts";
import { startRelay } from "../broker/start-relay.ts";
import { startWatcher } from "../broker/supervision.ts";
import { CafleetError, messageOf } from "../errors.ts";
import { confirmStarted, spawnPane } from "../members/spawn.ts";
import { printJson, printLine } from "../output.ts";
import { requireTmuxAvailable } from "../tmux/context.ts";
import { killPane, type PaneRef, paneExists } from "../tmux/pane.ts";
import type { MEMBER_RESPAWN } from "./commands.ts";
import { relayout, requireSpawnable } from "./member-create.ts";
import { prepareMemberSkills } from "./member-skills.ts";
import type { Context } from "./options.ts";

/**
 * `member respawn`: the member's pane died; start the same agent identity (id, name, backend,
 * inbox) in a new pane of the caller's window, with the default prompt of its coding agent.
 * Authorization as cli.md §6.18; the spawn as tmux.md §3. A live pane is never replaced.
 */
export async function memberRespawn(ctx: Context<typeof MEMBER_RESPAWN>): Promise<void> {
  requireTmuxAvailable(ctx.env);
  const { db, path } = openDatabase(ctx.env);
  const directorId = ctx.options.agentId;
  const member = requireTeamMember(db, {
    sessionId: ctx.sessionId,
    directorId,
    memberId: ctx.options.memberId,
    action: "interact",
  });
  const oldPane = member.placement.tmux_pane_id;
  if (oldPane === null)
    throw new CafleetError(
      `member ${member.agent_id} has no pane yet (pending placement) — nothing to respawn.`,
    );
  const oldRef: PaneRef = memberPaneRef(db, member.agent_id, oldPane);
  let alive: boolean;
  try {
    alive = await paneExists(oldRef);
  } catch (error) {
    throw new CafleetError(`tmux call failed while checking pane ${oldPane}: ${messageOf(error)}`);
  }
  if (alive)
    throw new CafleetError(
      `member ${member.agent_id} is still running in pane ${oldPane}; respawn only replaces a gone pane (stop it with \`cafleet member delete\`).`,
    );
  markPaneGone(db, member.agent_id, oldPane);

  const codingAgent = member.placement.coding_agent as CodingAgent;
  const caller = requireSpawnable(ctx.env, codingAgent);
  await prepareMemberSkills(ctx.env, codingAgent, ctx.options.installSkills);
  const prompt = resolvePrompt(promptTemplate([], codingAgent), {
    session_id: ctx.sessionId,
    agent_id: member.agent_id,
    director_name: directorName(db, directorId),
    director_agent_id: directorId,
  });
  const settings = readMemberSettings(db, member.agent_id);
  const model = ctx.options.model ?? settings.model;
  // spawnPane throws CafleetError with its own wording; nothing has changed yet to undo.
  const { pane } = spawnPane(ctx.env, caller, {
    codingAgent,
    name: member.name,
    prompt,
    databaseFile: path,
    model,
  });
  try {
    await confirmStarted(ctx.env, pane, codingAgent);
  } catch (error) {
    await killPane(pane, { ignorePaneGone: true }).catch(() => {});
    throw new CafleetError(`${messageOf(error)}. The member keeps its gone pane ${oldPane}`);
  }
  const paneId = pane.id;
  db.transaction(() => {
    replaceMemberPane(db, member.agent_id, {
      session: caller.session,
      windowId: caller.windowId,
      paneId,
      server: pane.server,
    });
    writeMemberSettings(db, member.agent_id, { ...settings, model });
  }).immediate();
  await relayout(caller.windowId);
  startWatcher(db, ctx.sessionId, ctx.env);
  startRelay(db);
  if (ctx.json)
    return printJson({
      agent_id: member.agent_id,
      name: member.name,
      previous_pane_id: oldPane,
      pane_id: paneId,
    });
  return printLine(
    [
      "Member respawned.",
      `  agent_id:  ${member.agent_id}`,
      `  name:      ${member.name}`,
      `  backend:   ${codingAgent}`,
      ...(model === null ? [] : [`  model:     ${model}`]),
      `  pane_id:   ${paneId} (was ${oldPane})`,
      `  window_id: ${caller.windowId}`,
    ].join("\n"),
  );
}
