import { Elysia } from "elysia";
import { deliverBroadcast, deliverUnicast } from "../../broker/messaging.ts";
import type { Database } from "../../store/database.ts";
import { BROADCAST_TARGET } from "../broadcast.ts";
import { MAX_BODY_BYTES } from "../guards.ts";
import { HttpError } from "../http-error.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.ts";
import { SendMessageBody, SendResult } from "../model.ts";
import { requireSessionHeader } from "../session-header.ts";

/**
 * The body's first `limit` bytes: reading stops there, so a huge body (chunked, or one whose
 * Content-Length lied) is refused with 413 without ever being held in memory whole.
 */
async function readAtMost(request: Request, limit: number): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader && size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader?.cancel();
  return Bun.concatArrayBuffers(chunks);
}

/** A reply threads under one task for one recipient; a broadcast (like the CLI's) takes none. */
const BROADCAST_REPLY_REFUSED =
  'reply_to needs a single recipient: send the reply to one agent, not to_agent_id "*"';

export function messageRoutes(db: Database) {
  return new Elysia({ strictPath: true }).post(
    "/messages/send",
    async ({ headers, body }) => {
      const sessionId = requireSessionHeader(db, headers);
      const input = { sessionId, fromAgentId: body.from_agent_id, text: body.text };
      if (body.to_agent_id === BROADCAST_TARGET) {
        if (body.reply_to !== undefined) throw new HttpError(400, BROADCAST_REPLY_REFUSED);
        const { summary } = await deliverBroadcast(db, input);
        return { task_id: summary.id, status: summary.status.state };
      }
      const { task } = await deliverUnicast(db, {
        ...input,
        toAgentId: body.to_agent_id,
        replyToTaskId: body.reply_to,
      });
      return { task_id: task.id, status: task.status.state };
    },
    {
      // The raw text goes to transform, so the session header is checked before the body is judged.
      parse: ({ request }) => readAtMost(request, MAX_BODY_BYTES + 1),
      transform: (ctx) => {
        requireSessionHeader(db, ctx.headers);
        const raw: unknown = ctx.body;
        if (!(raw instanceof ArrayBuffer)) throw new HttpError(422, "Request body is missing");
        if (raw.byteLength > MAX_BODY_BYTES) throw new HttpError(413, "Request body too large");
        let parsed: unknown;
        try {
          parsed = JSON.parse(new TextDecoder().decode(raw));
        } catch {
          throw new HttpError(422, "Request body is not valid JSON");
        }
        if (nestsDeeperThan(parsed, MAX_JSON_DEPTH))
          throw new HttpError(422, `Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
        // The body schema validates it next.
        ctx.body = parsed as typeof ctx.body;
      },
      body: SendMessageBody,
      response: { 200: SendResult },
    },
  );
}
