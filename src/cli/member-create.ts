import { deregisterAgent, type Placement, type Registration, registerAgent } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { type CodingAgent, promptTemplate, resolvePrompt } from "../broker/member-prompt.ts";
import { directorName, recordMemberPane, writeMemberSettings } from "../broker/members.ts";
import { startRelay } from "../broker/start-relay.ts";
import { startWatcher } from "../broker/supervision.ts";
import { CafleetError, messageOf } from "../errors.ts";
import { confirmStarted, spawnPane } from "../members/spawn.ts";
import { printJson, printLine, writeStderr } from "../output.ts";
import type { Database } from "../store/database.ts";
import { type CallerContext, readCallerContext, requireTmuxAvailable } from "../tmux/context.ts";
import { selectMainVertical } from "../tmux/layout.ts";
import { killPane, type PaneRef } from "../tmux/pane.ts";
import type { MEMBER_CREATE } from "./commands.ts";
import { prepareMemberSkills } from "./member-skills.ts";
import type { Context, Env } from "./options.ts";

export function requireSpawnable(env: Env, codingAgent: CodingAgent): CallerContext {
  requireTmuxAvailable(env);
  if (Bun.which(codingAgent, { PATH: env.PATH ?? "" }) === null)
    throw new CafleetError(`'${codingAgent}' binary not found on PATH`);
  return readCallerContext(env);
}

function registerPending(
  db: Database,
  ctx: Context<typeof MEMBER_CREATE>,
  pending: Omit<Placement, "created_at">,
): Registration {
  try {
    return registerAgent(db, {
      sessionId: ctx.sessionId,
      name: ctx.options.name,
      description: ctx.options.description,
      skills: [],
      placement: pending,
    });
  } catch (error) {
    throw new CafleetError(`register failed: ${messageOf(error)}`);
  }
}

/** Undoes the registration; an orphan is reported, never hidden. */
async function rollback(db: Database, sessionId: string, agentId: string): Promise<void> {
  try {
    deregisterAgent(db, agentId);
  } catch (error) {
    await writeStderr(
      `WARNING: rollback deregister failed — agent ${agentId} is orphaned in the registry. Run \`cafleet --session-id ${sessionId} deregister --agent-id ${agentId}\` manually to clean up. Cause: ${messageOf(error)}\n`,
    );
  }
}

async function failAfterRollback(
  db: Database,
  sessionId: string,
  agentId: string,
  cause: string,
): Promise<never> {
  await rollback(db, sessionId, agentId);
  throw new CafleetError(`${cause}. Rolled back registration of ${agentId}.`);
}

export async function memberCreate(ctx: Context<typeof MEMBER_CREATE>): Promise<void> {
  const codingAgent = ctx.options.codingAgent ?? "claude";
  const caller = requireSpawnable(ctx.env, codingAgent);
  await prepareMemberSkills(ctx.env, codingAgent, ctx.options.installSkills);
  const { db, path } = openDatabase(ctx.env);
  const directorId = ctx.options.agentId;
  const pending = {
    director_agent_id: directorId,
    tmux_session: caller.session,
    tmux_window_id: caller.windowId,
    tmux_pane_id: null,
    coding_agent: codingAgent,
  };
  const member = registerPending(db, ctx, pending);
  const memberId = member.agent_id;
  const model = ctx.options.model ?? null;
  const fail = (cause: string) => failAfterRollback(db, ctx.sessionId, memberId, cause);
  try {
    writeMemberSettings(db, memberId, {
      model,
      waiting_alert_seconds: ctx.options.alertWaiting ?? null,
      stalled_alert_seconds: ctx.options.alertStalled ?? null,
    });
  } catch (error) {
    return fail(`placement update failed: ${messageOf(error)}`);
  }

  let prompt: string;
  try {
    prompt = resolvePrompt(promptTemplate(ctx.args, codingAgent), {
      session_id: ctx.sessionId,
      agent_id: memberId,
      director_name: directorName(db, directorId),
      director_agent_id: directorId,
    });
  } catch (error) {
    return fail(`prompt resolution failed: ${messageOf(error)}`);
  }

  let pane: PaneRef;
  try {
    pane = spawnPane(ctx.env, caller, {
      codingAgent,
      name: member.name,
      prompt,
      databaseFile: path,
      model,
    }).pane;
  } catch (error) {
    return fail(messageOf(error));
  }
  const paneId = pane.id;

  let recorded: boolean;
  try {
    recorded = recordMemberPane(db, memberId, pane, codingAgent);
  } catch (error) {
    await closeQuietly(pane);
    return fail(`placement update failed: ${messageOf(error)}`);
  }
  if (!recorded) {
    await closeQuietly(pane);
    return fail("placement row vanished before pane-id patch");
  }
  try {
    await confirmStarted(ctx.env, pane, codingAgent);
  } catch (error) {
    await closeQuietly(pane);
    return fail(messageOf(error));
  }

  await relayout(caller.windowId);
  startWatcher(db, ctx.sessionId, ctx.env);
  startRelay(db);
  const placement: Placement = { ...pending, tmux_pane_id: paneId, created_at: member.registered_at };
  if (ctx.json)
    return printJson({
      agent_id: memberId,
      name: member.name,
      registered_at: member.registered_at,
      placement,
    });
  return printLine(
    [
      "Member registered and spawned.",
      `  agent_id:  ${memberId}`,
      `  name:      ${member.name}`,
      `  backend:   ${codingAgent}`,
      ...(model === null ? [] : [`  model:     ${model}`]),
      `  pane_id:   ${paneId}`,
      `  window_id: ${caller.windowId}`,
    ].join("\n"),
  );
}

/**
 * Closes a just-spawned pane before its registration is rolled back. Killed, not sent /exit: a
 * REPL that is still starting, or shows a dialog, could take the keys as an answer.
 */
async function closeQuietly(pane: PaneRef): Promise<void> {
  try {
    await killPane(pane, { ignorePaneGone: true });
  } catch {}
}

/** Re-applies main-vertical; a failure only warns, the member is already running. */
export async function relayout(windowId: string): Promise<void> {
  try {
    selectMainVertical(windowId);
  } catch (error) {
    await writeStderr(`Warning: select-layout failed: ${messageOf(error)}\n`);
  }
}
