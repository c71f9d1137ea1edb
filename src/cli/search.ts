import { requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { searchMessages } from "../broker/search.ts";
import { searchHitsText } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import type { SEARCH } from "./commands.ts";
import type { Context } from "./options.ts";

/** The session's messages matching --query, as the web page's search finds them (`--json`: its SearchResults). */
export async function search(ctx: Context<typeof SEARCH>): Promise<void> {
  const { agentId, query, limit } = ctx.options;
  const { db } = openDatabase(ctx.env);
  requireAgentInSession(db, ctx.sessionId, agentId, { active: true });
  const messages = searchMessages(db, ctx.sessionId, query, { limit });
  if (ctx.json) return printJson({ messages });
  return printLine(searchHitsText(messages));
}
