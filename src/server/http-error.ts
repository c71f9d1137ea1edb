import { CafleetError } from "../errors.ts";

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
  return Response.json({ detail: message, error: message }, { status, headers });
}

/** The web API's wording of the broker's rules, keyed by the rule's code (one rule, two doors). */
const BROKER_CODES: Record<string, HttpError> = {
  agent_not_in_session: new HttpError(404, "Agent not found"),
  agent_missing: new HttpError(404, "Agent not found"),
  destination_missing: new HttpError(404, "Agent not found"),
  destination_other_session: new HttpError(404, "Agent not found"),
  sender_inactive: new HttpError(400, "from_agent not in session"),
};

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CafleetError)
    return BROKER_CODES[error.code] ?? new HttpError(error.status, error.message);
  return new HttpError(500, "Internal Server Error");
}
