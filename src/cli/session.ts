import { openDatabase } from "../broker/db.ts";
import { createSession, deleteSession, listSessions, showSession } from "../broker/sessions.ts";
import { startRelay } from "../broker/start-relay.ts";
import { CafleetError } from "../errors.ts";
import { pad } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import { detectAncestorRepl } from "../repl/ancestry.ts";
import { attachedServer } from "../tmux/argv.ts";
import { readCallerContext, requireTmuxAvailable } from "../tmux/context.ts";
import type { JSON_ONLY, NO_OPTIONS, SESSION_CREATE } from "./commands.ts";
import type { Context } from "./options.ts";

export async function sessionCreate(ctx: Context<typeof SESSION_CREATE>): Promise<void> {
  let tmux: ReturnType<typeof readCallerContext>;
  try {
    requireTmuxAvailable(ctx.env);
    tmux = readCallerContext(ctx.env);
  } catch {
    throw new CafleetError("cafleet session create must be run inside a tmux session");
  }
  const { db } = openDatabase(ctx.env);
  const label = ctx.options.label ?? null;
  const session = createSession(db, label, {
    session: tmux.session,
    windowId: tmux.windowId,
    paneId: tmux.paneId,
    server: attachedServer(ctx.env),
    repl: detectAncestorRepl(),
  });
  startRelay(db);
  if (ctx.json) return printJson(session);
  const placement = session.director.placement;
  return printLine(
    [
      session.session_id,
      session.director.agent_id,
      `label:            ${session.label ?? ""}`,
      `created_at:       ${session.created_at}`,
      `director_name:    ${session.director.name}`,
      `pane:             ${placement.tmux_session}:${placement.tmux_window_id}:${placement.tmux_pane_id}`,
      `administrator:    ${session.administrator_agent_id}`,
    ].join("\n"),
  );
}

export async function sessionList(ctx: Context<typeof JSON_ONLY>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const sessions = listSessions(db);
  if (ctx.json) return printJson(sessions);
  if (sessions.length === 0) return printLine("No sessions found.");
  const row = (a: string, b: string, c: string, d: string) => `${pad(a, 40)} ${pad(b, 20)} ${pad(c, 8)} ${d}`;
  const lines = [row("SESSION_ID", "LABEL", "AGENTS", "CREATED_AT")];
  for (const session of sessions)
    lines.push(row(session.session_id, session.label ?? "", String(session.agent_count), session.created_at));
  return printLine(lines.join("\n"));
}

export async function sessionShow(ctx: Context<typeof JSON_ONLY>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const session = showSession(db, ctx.args[0]!);
  if (ctx.json) return printJson(session);
  const lines = [
    `session_id: ${session.session_id}`,
    `label:      ${session.label ?? ""}`,
    `created_at: ${session.created_at}`,
  ];
  if (session.deleted_at !== null) lines.push(`deleted_at: ${session.deleted_at}`);
  return printLine(lines.join("\n"));
}

export async function sessionDelete(ctx: Context<typeof NO_OPTIONS>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const sessionId = ctx.args[0]!;
  const count = deleteSession(db, sessionId);
  return printLine(`Deleted session ${sessionId}. Deregistered ${count} agents.`);
}
