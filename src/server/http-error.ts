import { CafleetError, type RuleCode } from "../errors.ts";
import type { ErrorBody } from "./model.ts";

/** An HTTP answer with the `{"detail", "error"}` body of webui.md §2. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { detail: message, error: message };
  return Response.json(body, { status, headers });
}

/** The web API's wording of the broker's rules (one rule, two doors); the others keep the CLI's. */
const WEB_WORDING: { [Rule in RuleCode]?: HttpError } = {
  agent_not_in_session: new HttpError(404, "Agent not found"),
  agent_missing: new HttpError(404, "Agent not found"),
  destination_missing: new HttpError(404, "Agent not found"),
  destination_other_session: new HttpError(404, "Agent not found"),
  sender_inactive: new HttpError(400, "from_agent not in session"),
};

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CafleetError)
    return (error.rule && WEB_WORDING[error.rule]) || new HttpError(error.status, error.message);
  return new HttpError(500, "Internal Server Error");
}
