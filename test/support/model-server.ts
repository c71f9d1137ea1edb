/**
 * A scripted model server on 127.0.0.1 for real Claude Code, Codex CLI, opencode and Gemini CLI
 * runs: Anthropic `POST /v1/messages` (Claude Code, and opencode's bundled `anthropic` provider),
 * OpenAI `POST /v1/responses` and Gemini `POST /v1beta/models/<model>:streamGenerateContent`, all
 * streamed as SSE. Each test scripts the agent's turns (`respond` or a queue of replies); the
 * clients' side requests (titles, token counts, model lists, Gemini's routing and JSON checks)
 * are answered harmlessly and never consume a scripted turn.
 */

export type Api = "anthropic" | "openai" | "gemini";

/** What the model does on one turn. */
export type Reply =
  | { kind: "text"; text: string; overMs?: number }
  | { kind: "shell"; command: string; text?: string; escalate?: boolean }
  | { kind: "ask"; question: string; options: string[] }
  | { kind: "mcp"; server: string; tool: string; input: Record<string, unknown> }
  | { kind: "search"; query: string }
  | { kind: "hang"; ms: number; then: Reply };

export const text = (body: string, overMs?: number): Reply => ({ kind: "text", text: body, overMs });
/**
 * A Bash tool call (Claude; `bash` for opencode), an `exec_command` function call (Codex) or a
 * `run_shell_command` function call (Gemini CLI) of exactly `command`.
 * `escalate` asks Codex to run it outside its sandbox, which is what makes Codex show its
 * approval prompt under `--ask-for-approval on-request`.
 */
export const shell = (command: string, options: { preamble?: string; escalate?: boolean } = {}): Reply => ({
  kind: "shell",
  command,
  text: options.preamble,
  escalate: options.escalate,
});
/** Claude's AskUserQuestion with one question. */
export const ask = (question: string, options: string[]): Reply => ({ kind: "ask", question, options });
/**
 * A call of tool `tool` of MCP server `server`: `mcp__<server>__<tool>` for Claude Code, the
 * function `<tool>` of the namespace `mcp__<server>` for Codex.
 */
export const mcpTool = (server: string, tool: string, input: Record<string, unknown> = {}): Reply => ({
  kind: "mcp",
  server,
  tool,
  input,
});
/** Claude Code's ToolSearch, which loads deferred tools (MCP tools are deferred) before they can be called. */
export const toolSearch = (query: string): Reply => ({ kind: "search", query });
/** Streams the start of a reply, then nothing for `ms` (the REPL shows "thinking"), then `then`. */
export const hang = (ms: number, then: Reply): Reply => ({ kind: "hang", ms, then });

export type Turn = {
  api: Api;
  /** 0 for the first scripted turn of this server, counted across all APIs. */
  index: number;
  /** The model the REPL asked for (the request's `model`, or Gemini's from its URL). */
  model: string | undefined;
  /** The user's typed text of the newest user message that has any (system reminders left out). */
  userText: string | undefined;
  /** The output of the tool call this request answers, when the request answers one. */
  toolResult: string | undefined;
  /**
   * The newest message is the user's typing (not only a tool's output): a new request. Claude
   * Code sends a refused tool call's result and the next typed line in one message.
   */
  typed: boolean;
  body: Record<string, unknown>;
};

export type LoggedRequest = {
  method: string;
  path: string;
  kind: "turn" | "side" | "unknown";
  api?: Api;
  turn?: Turn;
  body: unknown;
  headers: Record<string, string>;
};

export type Responder = (turn: Turn) => Reply | Promise<Reply>;

type Json = Record<string, unknown>;
/** One SSE event; Gemini's stream has `data:` lines only (no `event`). */
type Sse = { event?: string; data: Json; delayMs?: number };

/** The Anthropic tool a shell reply calls: Claude Code's `Bash`, opencode's `bash`. */
const ANTHROPIC_SHELL_TOOLS = ["Bash", "bash"];
const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

export class ModelServer {
  readonly requests: LoggedRequest[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;
  private queue: Reply[] = [];
  private responder: Responder | undefined;
  private turnCount = 0;
  private ids = 0;

  get url(): string {
    if (!this.server) throw new Error("model server not started");
    return `http://127.0.0.1:${this.server.port}`;
  }

  start(): this {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      fetch: (req) => this.handle(req),
    });
    return this;
  }

  stop(): void {
    this.server?.stop(true);
    this.server = undefined;
  }

  /** Replies used in order, one per scripted turn; after them, `respond`'s answer or "ok". */
  script(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  respond(responder: Responder): this {
    this.responder = responder;
    return this;
  }

  turns(): Turn[] {
    return this.requests.flatMap((request) => (request.turn ? [request.turn] : []));
  }

  /** Resolves with the first scripted turn matching `match`, or rejects after `timeoutMs`. */
  async waitForTurn(match: (turn: Turn) => boolean, timeoutMs: number): Promise<Turn> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const found = this.turns().find(match);
      if (found) return found;
      await Bun.sleep(50);
    }
    const seen = this.turns().map((turn) => ({ userText: turn.userText, toolResult: turn.toolResult }));
    throw new Error(`no matching model turn within ${timeoutMs} ms; turns seen: ${JSON.stringify(seen)}`);
  }

  private async handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    const raw = req.method === "POST" ? await req.text() : "";
    const body = parseJson(raw);
    const headers = Object.fromEntries(req.headers);
    const entry: LoggedRequest = { method: req.method, path, kind: "unknown", body, headers };
    this.requests.push(entry);

    if (req.method === "POST" && path === "/v1/messages/count_tokens") {
      entry.kind = "side";
      return Response.json({ input_tokens: 100 });
    }
    if (req.method === "POST" && path === "/v1/messages") {
      entry.api = "anthropic";
      const shellTool = ANTHROPIC_SHELL_TOOLS.find((name) => toolNames(body).includes(name));
      if (shellTool) {
        entry.kind = "turn";
        entry.turn = this.decode("anthropic", body, stringOr(body.model));
      } else {
        entry.kind = "side";
      }
      const reply = entry.turn ? await this.nextReply(entry.turn) : sideReply();
      return anthropicResponse(body, reply, () => this.id(), shellTool ?? "Bash");
    }
    const gemini = req.method === "POST" ? GEMINI_PATH.exec(path) : null;
    if (gemini) {
      entry.api = "gemini";
      const [, model, method] = gemini;
      if (method === "countTokens") {
        entry.kind = "side";
        return Response.json({ totalTokens: 100 });
      }
      if (method === "streamGenerateContent" && geminiFunctions(body).includes("run_shell_command")) {
        entry.kind = "turn";
        entry.turn = this.decode("gemini", body, model);
        return geminiStream(await this.nextReply(entry.turn), model!);
      }
      entry.kind = "side";
      const reply = text(geminiSideText(body));
      return method === "generateContent"
        ? Response.json(geminiChunk(geminiParts(settle(reply).reply), model!, true))
        : geminiStream(reply, model!);
    }
    if (req.method === "POST" && path === "/v1/responses") {
      entry.api = "openai";
      if (toolNames(body).includes("exec_command") && !isStructuredOutput(body)) {
        entry.kind = "turn";
        entry.turn = this.decode("openai", body, stringOr(body.model));
      } else {
        entry.kind = "side";
      }
      const reply = entry.turn ? await this.nextReply(entry.turn) : codexTitle();
      return sseResponse(openaiEvents(reply, () => this.id()));
    }
    if (req.method === "GET" && path.endsWith("/models")) {
      entry.kind = "side";
      return Response.json({ object: "list", data: [], models: [] });
    }
    return Response.json(
      { error: { type: "not_found", message: `model server: no ${path}` } },
      { status: 404 },
    );
  }

  private decode(api: Api, body: Json, model: string | undefined): Turn {
    const index = this.turnCount++;
    const decoded =
      api === "anthropic"
        ? decodeAnthropic(body)
        : api === "openai"
          ? decodeOpenai(body)
          : decodeGemini(body);
    return { api, index, model, body, ...decoded };
  }

  private async nextReply(turn: Turn): Promise<Reply> {
    const queued = this.queue.shift();
    if (queued) return queued;
    return this.responder ? await this.responder(turn) : text("ok");
  }

  private id(): string {
    this.ids += 1;
    return `${Date.now().toString(36)}${this.ids}`;
  }
}

function parseJson(raw: string): Json {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null ? (value as Json) : {};
  } catch {
    return {};
  }
}

const stringOr = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function toolNames(body: Json): string[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  return tools.map((tool) => String(tool.name));
}

/** Codex asks for a thread title with a JSON schema output format. */
function isStructuredOutput(body: Json): boolean {
  const format = (body.text as Json | undefined)?.format as Json | undefined;
  return format?.type === "json_schema";
}

function sideReply(): Reply {
  return text("Scripted session");
}

function codexTitle(): Reply {
  return text(JSON.stringify({ title: "Scripted task" }));
}

const isReminder = (value: string) => value.trimStart().startsWith("<");

function decodeAnthropic(body: Json): Pick<Turn, "userText" | "toolResult" | "typed"> {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const users = messages.filter((message) => message.role === "user");
  let userText: string | undefined;
  for (const message of users) {
    const blocks =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    for (const block of (blocks as Json[]) ?? []) {
      if (block.type === "text" && typeof block.text === "string" && !isReminder(block.text))
        userText = block.text;
    }
  }
  const last = users.at(-1);
  const blocks = Array.isArray(last?.content) ? (last.content as Json[]) : [];
  const result = blocks.find((block) => block.type === "tool_result");
  const typed =
    typeof last?.content === "string" ||
    blocks.some(
      (block) => block.type === "text" && typeof block.text === "string" && !isReminder(block.text),
    );
  return { userText, toolResult: result ? flattenText(result.content) : undefined, typed };
}

function decodeOpenai(body: Json): Pick<Turn, "userText" | "toolResult" | "typed"> {
  const input = Array.isArray(body.input) ? (body.input as Json[]) : [];
  let userText: string | undefined;
  for (const item of input) {
    if (item.type !== "message" || item.role !== "user") continue;
    for (const part of (item.content as Json[]) ?? []) {
      if (part.type === "input_text" && typeof part.text === "string" && !isReminder(part.text)) {
        userText = part.text;
      }
    }
  }
  const last = input.at(-1);
  return {
    userText,
    toolResult: last?.type === "function_call_output" ? flattenText(last.output) : undefined,
    typed: last?.type === "message" && last.role === "user",
  };
}

/** The function names Gemini CLI offers: `tools[].functionDeclarations[].name`. */
function geminiFunctions(body: Json): string[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  return tools.flatMap((tool) =>
    Array.isArray(tool.functionDeclarations)
      ? (tool.functionDeclarations as Json[]).map((declaration) => String(declaration.name))
      : [],
  );
}

type GeminiPart = { text?: string; functionCall?: Json; functionResponse?: Json };

function decodeGemini(body: Json): Pick<Turn, "userText" | "toolResult" | "typed"> {
  const contents = Array.isArray(body.contents) ? (body.contents as Json[]) : [];
  const users = contents.filter((content) => content.role === "user");
  const partsOf = (content: Json | undefined) =>
    Array.isArray(content?.parts) ? (content.parts as GeminiPart[]) : [];
  let userText: string | undefined;
  for (const content of users)
    for (const part of partsOf(content))
      if (typeof part.text === "string" && !isReminder(part.text)) userText = part.text;
  const last = partsOf(contents.at(-1));
  const response = last.find((part) => part.functionResponse)?.functionResponse;
  const output = (response?.response as Json | undefined)?.output ?? response?.response;
  return {
    userText,
    toolResult: response ? flattenText(output) : undefined,
    typed: last.some((part) => typeof part.text === "string" && !isReminder(part.text)),
  };
}

/**
 * Gemini CLI's side calls want JSON of a schema (the model router's complexity score, the
 * next-speaker check): the smallest object that fits it, or plain text when there is none.
 */
function geminiSideText(body: Json): string {
  const config = (body.generationConfig ?? {}) as Json;
  const schema = (config.responseJsonSchema ?? config.responseSchema) as Json | undefined;
  return schema ? JSON.stringify(sampleOf(schema)) : "Scripted session";
}

function sampleOf(schema: Json): unknown {
  const type = String(schema.type ?? "object").toLowerCase();
  if (type === "object") {
    const properties = (schema.properties ?? {}) as Record<string, Json>;
    return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleOf(value)]));
  }
  if (type === "array") return [];
  if (type === "integer" || type === "number") return 1;
  if (type === "boolean") return false;
  return Array.isArray(schema.enum) && schema.enum.length > 0 ? schema.enum[0] : "scripted";
}

function flattenText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => flattenText((part as Json).text ?? part)).join("");
  return content === undefined ? "" : JSON.stringify(content);
}

/** Splits `body` into about 20 chunks spread over `overMs`. */
function chunks(body: string, overMs = 0): { piece: string; delayMs: number }[] {
  const count = overMs > 0 ? Math.min(20, Math.max(1, body.length)) : 1;
  const size = Math.ceil(body.length / count);
  const pieces: string[] = [];
  for (let at = 0; at < body.length; at += size) pieces.push(body.slice(at, at + size));
  return pieces.map((piece) => ({ piece, delayMs: overMs / count }));
}

function sseResponse(events: Sse[]): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    async start(controller) {
      for (const { event, data, delayMs } of events) {
        if (delayMs) await Bun.sleep(delayMs);
        const head = event ? `event: ${event}\n` : "";
        try {
          controller.enqueue(encoder.encode(`${head}data: ${JSON.stringify(data)}\n\n`));
        } catch {
          return; // the client went away (interrupted turn)
        }
      }
      controller.close();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

type Immediate = Exclude<Reply, { kind: "hang" }>;

/** A reply's total hang before its content, and that content. */
function settle(reply: Reply): { delayMs: number; reply: Immediate } {
  if (reply.kind !== "hang") return { delayMs: 0, reply };
  const inner = settle(reply.then);
  return { delayMs: reply.ms + inner.delayMs, reply: inner.reply };
}

function anthropicBlocks(
  reply: Immediate,
  id: () => string,
  shellTool: string,
): { blocks: Json[]; deltas: Sse[][]; stop: string } {
  if (reply.kind === "text") {
    const deltas = chunks(reply.text, reply.overMs).map(({ piece, delayMs }) => ({
      event: "content_block_delta",
      data: { type: "content_block_delta", delta: { type: "text_delta", text: piece } },
      delayMs,
    }));
    return { blocks: [{ type: "text", text: reply.text }], deltas: [deltas], stop: "end_turn" };
  }
  const { name, input } = anthropicToolCall(reply, shellTool);
  const tool = { type: "tool_use", id: `toolu_${id()}`, name, input };
  const toolDelta: Sse = {
    event: "content_block_delta",
    data: {
      type: "content_block_delta",
      delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
    },
  };
  const preamble = reply.kind === "shell" ? reply.text : undefined;
  if (!preamble) return { blocks: [tool], deltas: [[toolDelta]], stop: "tool_use" };
  const textDelta: Sse = {
    event: "content_block_delta",
    data: { type: "content_block_delta", delta: { type: "text_delta", text: preamble } },
  };
  const blocks = [{ type: "text", text: preamble }, tool];
  const deltas = [[textDelta], [toolDelta]];
  return { blocks, deltas, stop: "tool_use" };
}

function anthropicToolCall(
  reply: Exclude<Immediate, { kind: "text" }>,
  shellTool: string,
): { name: string; input: Json } {
  switch (reply.kind) {
    case "shell":
      return { name: shellTool, input: { command: reply.command, description: `Run ${reply.command}` } };
    case "mcp":
      return { name: `mcp__${reply.server}__${reply.tool}`, input: reply.input };
    case "search":
      return { name: "ToolSearch", input: { query: reply.query, max_results: 5 } };
    case "ask":
      return {
        name: "AskUserQuestion",
        input: {
          questions: [
            {
              question: reply.question,
              header: "Question",
              multiSelect: false,
              options: reply.options.map((label) => ({ label, description: `Pick ${label}` })),
            },
          ],
        },
      };
  }
}

function anthropicResponse(body: Json, reply: Reply, id: () => string, shellTool: string): Response {
  const model = String(body.model ?? "claude-scripted");
  const { delayMs, reply: content } = settle(reply);
  const { blocks, deltas, stop } = anthropicBlocks(content, id, shellTool);
  const usage = { input_tokens: 100, output_tokens: 20 };
  if (body.stream !== true) {
    return Response.json({
      id: `msg_${id()}`,
      type: "message",
      role: "assistant",
      model,
      content: blocks,
      stop_reason: stop,
      stop_sequence: null,
      usage,
    });
  }
  const message = {
    id: `msg_${id()}`,
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 1 },
  };
  const events: Sse[] = [{ event: "message_start", data: { type: "message_start", message } }];
  events.push({ event: "ping", data: { type: "ping" }, delayMs });
  blocks.forEach((block, index) => {
    const start = block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
    events.push({
      event: "content_block_start",
      data: { type: "content_block_start", index, content_block: start },
    });
    events.push(...(deltas[index] ?? []).map((delta) => ({ ...delta, data: { ...delta.data, index } })));
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: 20 },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return sseResponse(events);
}

/**
 * Codex returns a still-running command to the model after `yield_time_ms` (default 10 s);
 * 30 s, the most it allows, keeps a `sleep 20` one tool call.
 */
function codexExecArguments(cmd: string, escalate: boolean): Json {
  const args: Json = { cmd, yield_time_ms: 30000 };
  if (!escalate) return args;
  return { ...args, sandbox_permissions: "require_escalated", justification: `Do you want to run ${cmd}?` };
}

function openaiEvents(reply: Reply, id: () => string): Sse[] {
  const responseId = `resp_${id()}`;
  const events: Sse[] = [
    { event: "response.created", data: { type: "response.created", response: { id: responseId } } },
  ];
  const { delayMs: delay, reply: body } = settle(reply);
  const items: Json[] = [];
  const textOf =
    body.kind === "text" || body.kind === "shell"
      ? body.text
      : body.kind === "ask"
        ? body.question
        : undefined;
  if (textOf) {
    const itemId = `msg_${id()}`;
    const item = {
      type: "message",
      role: "assistant",
      id: itemId,
      content: [{ type: "output_text", text: textOf }],
    };
    const outputIndex = items.length;
    items.push(item);
    events.push({
      event: "response.output_item.added",
      data: { type: "response.output_item.added", output_index: outputIndex, item: { ...item, content: [] } },
      delayMs: delay,
    });
    for (const { piece, delayMs } of chunks(textOf, body.kind === "text" ? body.overMs : 0)) {
      events.push({
        event: "response.output_text.delta",
        data: {
          type: "response.output_text.delta",
          item_id: itemId,
          output_index: outputIndex,
          content_index: 0,
          delta: piece,
        },
        delayMs,
      });
    }
    events.push({
      event: "response.output_item.done",
      data: { type: "response.output_item.done", output_index: outputIndex, item },
    });
  }
  if (body.kind === "shell" || body.kind === "mcp") {
    const call =
      body.kind === "shell"
        ? {
            name: "exec_command",
            arguments: JSON.stringify(codexExecArguments(body.command, body.escalate === true)),
          }
        : { name: body.tool, namespace: `mcp__${body.server}`, arguments: JSON.stringify(body.input) };
    const item = { type: "function_call", id: `fc_${id()}`, call_id: `call_${id()}`, ...call };
    const outputIndex = items.length;
    items.push(item);
    events.push({
      event: "response.output_item.added",
      data: { type: "response.output_item.added", output_index: outputIndex, item },
      delayMs: textOf ? 0 : delay,
    });
    events.push({
      event: "response.output_item.done",
      data: { type: "response.output_item.done", output_index: outputIndex, item },
    });
  }
  const usage = {
    input_tokens: 100,
    input_tokens_details: null,
    output_tokens: 20,
    output_tokens_details: null,
    total_tokens: 120,
  };
  events.push({
    event: "response.completed",
    data: {
      type: "response.completed",
      response: { id: responseId, status: "completed", output: items, usage },
    },
  });
  return events;
}

/** A reply as Gemini content parts: its text, then a `run_shell_command` call for a shell turn. */
function geminiParts(reply: Immediate): GeminiPart[] {
  const said = reply.kind === "text" || reply.kind === "shell" ? reply.text : undefined;
  const parts: GeminiPart[] = said ? [{ text: said }] : [];
  if (reply.kind === "shell")
    parts.push({
      functionCall: {
        name: "run_shell_command",
        args: { command: reply.command, description: `Run ${reply.command}` },
      },
    });
  if (reply.kind === "ask" || reply.kind === "mcp" || reply.kind === "search")
    throw new Error(`model server: the Gemini API has no scripted ${reply.kind} reply`);
  return parts;
}

function geminiChunk(parts: GeminiPart[], model: string, last: boolean): Json {
  return {
    candidates: [{ content: { role: "model", parts }, index: 0, ...(last ? { finishReason: "STOP" } : {}) }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 },
    modelVersion: model,
  };
}

/** `:streamGenerateContent?alt=sse`: the text in pieces over `overMs`, the last chunk with finishReason. */
function geminiStream(reply: Reply, model: string): Response {
  const { delayMs, reply: content } = settle(reply);
  const parts = geminiParts(content);
  const events: Sse[] = [];
  if (content.kind === "text" && content.overMs) {
    for (const { piece, delayMs: gap } of chunks(content.text, content.overMs))
      events.push({ data: geminiChunk([{ text: piece }], model, false), delayMs: gap });
    events.push({ data: geminiChunk([{ text: "" }], model, true) });
  } else {
    events.push({ data: geminiChunk(parts, model, true) });
  }
  events[0]!.delayMs = (events[0]!.delayMs ?? 0) + delayMs;
  return sseResponse(events);
}
