import { deregisterAgent, requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { type MemberAction, requireTeamMember, type TeamMember } from "../broker/members.ts";
import { memberPaneRef } from "../broker/pane-address.ts";
import { CafleetError, messageOf, UsageError } from "../errors.ts";
import { pad } from "../format.ts";
import { type Answer, typeAnswer } from "../members/answer.ts";
import { type ExitOutcome, requestExit } from "../members/teardown.ts";
import { printJson, printLine, writeStderr, writeStdout } from "../output.ts";
import type { Database } from "../store/database.ts";
import { requireTmuxAvailable } from "../tmux/context.ts";
import { capturePane, killPane, type PaneRef, waitForPaneGone } from "../tmux/pane.ts";
import type { MEMBER_CAPTURE, MEMBER_DELETE, MEMBER_LIST, MEMBER_SEND_INPUT } from "./commands.ts";
import { relayout } from "./member-create.ts";
import { captureMember, DEFAULT_CAPTURE_LINES, readMemberList } from "./member-read.ts";
import type { Context, Env } from "./options.ts";
import { formatTeamView, shortId } from "./team-view.ts";

/** tmux availability, then the §6.18 checks; nothing touches the member's pane before this. */
function loadTeamMember(
  ctx: { env: Env; sessionId: string; options: { agentId: string; memberId: string } },
  action: MemberAction,
): { db: Database; member: TeamMember } {
  requireTmuxAvailable(ctx.env);
  const { db } = openDatabase(ctx.env);
  const member = requireTeamMember(db, {
    sessionId: ctx.sessionId,
    directorId: ctx.options.agentId,
    memberId: ctx.options.memberId,
    action,
  });
  return { db, member };
}

const DEFAULT_DELETE_TIMEOUT_SECONDS = 15;

/**
 * How long `member delete` waits for the pane to close. CAFLEET_TEST_DELETE_TIMEOUT_SECONDS is a
 * test-only knob (read here and nowhere else) so the timeout path can be tested in seconds.
 */
function deleteTimeoutSeconds(env: Env): number {
  const override = Number(env.CAFLEET_TEST_DELETE_TIMEOUT_SECONDS);
  return override > 0 ? override : DEFAULT_DELETE_TIMEOUT_SECONDS;
}

/** Python's rendering of a float: 15.0, 2.0, 0.5. */
function seconds(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function deregisterMember(db: Database, memberId: string): void {
  try {
    deregisterAgent(db, memberId);
  } catch (error) {
    throw new CafleetError(`deregister failed: ${messageOf(error)}`);
  }
}

/** `cleared`: what the pane showed that Esc closed before /exit (a permission prompt, a turn). */
function reportDeleted(
  ctx: Context<typeof MEMBER_DELETE>,
  header: string,
  memberId: string,
  paneStatus: string,
  cleared: string | null,
) {
  if (ctx.json)
    return printJson({ agent_id: memberId, pane_status: paneStatus, ...(cleared ? { cleared } : {}) });
  const lines = [header, `  agent_id:  ${memberId}`, `  pane_id:   ${paneStatus}`];
  if (cleared) lines.push(`  cleared:   ${cleared} (Esc, before /exit)`);
  return printLine(lines.join("\n"));
}

export async function memberDelete(ctx: Context<typeof MEMBER_DELETE>): Promise<void> {
  const { db, member } = loadTeamMember(ctx, "delete");
  const memberId = member.agent_id;
  const pane = member.placement.tmux_pane_id;
  const windowId = member.placement.tmux_window_id;
  if (pane === null) {
    deregisterMember(db, memberId);
    return reportDeleted(ctx, "Member deleted.", memberId, "(pending — no pane)", null);
  }

  const ref = memberPaneRef(db, memberId, pane);

  if (ctx.options.force) {
    try {
      await killPane(ref, { ignorePaneGone: true });
    } catch (error) {
      throw new CafleetError(
        `kill_pane failed for pane ${pane}: ${messageOf(error)}. The tmux server may be unreachable. Verify with 'cafleet doctor', then re-run the command.`,
      );
    }
    deregisterMember(db, memberId);
    await relayout(windowId);
    return reportDeleted(ctx, "Member deleted (--force).", memberId, `${pane} (killed)`, null);
  }

  let exit: ExitOutcome;
  try {
    exit = await requestExit(ref, member.placement.coding_agent);
  } catch (error) {
    if (error instanceof CafleetError) throw error;
    throw new CafleetError(
      `send_exit failed for pane ${pane}: ${messageOf(error)}. The tmux server may be unreachable. Verify with 'cafleet doctor', then re-run 'cafleet member delete', or use '--force' to kill the pane directly.`,
    );
  }
  const timeout = deleteTimeoutSeconds(ctx.env);
  let closed: boolean;
  try {
    closed = exit.gone || (await waitForPaneGone(ref, timeout));
  } catch (error) {
    throw new CafleetError(`tmux call failed while waiting for pane ${pane} to close: ${messageOf(error)}`);
  }
  if (!closed) return failDeleteTimeout(ctx, memberId, ref, timeout);
  deregisterMember(db, memberId);
  await relayout(windowId);
  return reportDeleted(ctx, "Member deleted.", memberId, `${pane} (closed)`, exit.saw);
}

const TIMEOUT_TAIL_LINES = 80;

/** The pane is still open: leave the registration alone and show what the member is stuck on. */
async function failDeleteTimeout(
  ctx: Context<typeof MEMBER_DELETE>,
  memberId: string,
  ref: PaneRef,
  timeout: number,
): Promise<never> {
  const pane = ref.id;
  let tail = "";
  try {
    tail = await capturePane(ref, TIMEOUT_TAIL_LINES);
  } catch (error) {
    await writeStderr(
      `Warning: capture_pane failed during timeout handling: ${messageOf(error)}. The timeout error and recovery hint still print.\n`,
    );
  }
  if (ctx.json) await printJson({ agent_id: memberId, pane_status: `${pane} (timeout)` });
  throw new UsageError(
    [
      `pane ${pane} did not close within ${seconds(timeout)}s after /exit.`,
      `--- pane ${pane} tail (last ${TIMEOUT_TAIL_LINES} lines) ---`,
      tail,
      "---",
      "Recovery: inspect with `cafleet member capture`, answer any prompt with `cafleet member send-input`, then re-run `cafleet member delete`. Or re-run with `--force` to skip the wait and kill the pane.",
    ].join("\n"),
  );
}

const MEMBER_HEADER =
  "  agent_id        name      status  backend  session  window_id  pane_id  created_at\n" +
  "  --------------  --------  ------  -------  -------  ---------  -------  --------------------";

export async function memberList(ctx: Context<typeof MEMBER_LIST>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const directorId = ctx.options.agentId;
  requireAgentInSession(db, ctx.sessionId, directorId);
  const members = await readMemberList(db, ctx.env, ctx.sessionId, directorId);
  if (ctx.json) return printJson(members);
  if (members.length === 0) return printLine("0 members.");
  if (ctx.options.wide) return printLine(formatTeamView(members));
  const rows = members.map(({ agent_id, name, status, placement: p }) =>
    [
      `  ${pad(shortId(agent_id), 14)}`,
      pad(name, 8),
      pad(status, 6),
      pad(p.coding_agent, 7),
      pad(p.tmux_session, 7),
      pad(p.tmux_window_id, 9),
      pad(p.tmux_pane_id ?? "(pending)", 7),
      p.created_at,
    ].join("  "),
  );
  const count = members.length === 1 ? "1 member:" : `${members.length} members:`;
  return printLine([count, MEMBER_HEADER, ...rows].join("\n"));
}

export async function memberCapture(ctx: Context<typeof MEMBER_CAPTURE>): Promise<void> {
  const { db, member } = loadTeamMember(ctx, "interact");
  const capture = await captureMember(db, member, ctx.options.lines ?? DEFAULT_CAPTURE_LINES);
  if (ctx.json) return printJson(capture);
  return writeStdout(capture.content);
}

/** Flag rules of cli.md §6.22, checked before tmux or the database are looked at. */
function readAnswer({ choice, freetext }: Context<typeof MEMBER_SEND_INPUT>["options"]): Answer {
  if ((choice === undefined) === (freetext === undefined))
    throw new UsageError("Must supply exactly one of --choice or --freetext.");
  if (choice !== undefined) return { action: "choice", value: String(choice) };
  if (/[\r\n]/.test(freetext!)) throw new UsageError("free text may not contain newlines.");
  return { action: "freetext", value: freetext! };
}

export async function memberSendInput(ctx: Context<typeof MEMBER_SEND_INPUT>): Promise<void> {
  const answer = readAnswer(ctx.options);
  const { db, member } = loadTeamMember(ctx, "interact");
  const pane = member.placement.tmux_pane_id;
  if (pane === null)
    throw new CafleetError(
      `member ${member.agent_id} has no pane yet (pending placement) — nothing to send.`,
    );
  try {
    await typeAnswer(memberPaneRef(db, member.agent_id, pane), answer);
  } catch (error) {
    if (error instanceof CafleetError) throw error;
    throw new CafleetError(`send failed: ${messageOf(error)}`);
  }
  if (ctx.json) return printJson({ member_agent_id: member.agent_id, pane_id: pane, ...answer });
  const what = answer.action === "choice" ? `choice ${answer.value}` : "free text";
  return printLine(`Sent ${what} to member ${member.name} (${pane}).`);
}
