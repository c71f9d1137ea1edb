/** The page's only door to the server: /ui/api, with the chosen session in X-Session-Id. */

import type {
  Agent,
  ErrorBody,
  LiveEvent,
  Message,
  SendMessageBody,
  SendResult,
  SessionListing,
} from "../../src/server/model.ts";

// The server's contract is the one definition of these shapes (type-only: no Elysia in the page).
export type { Agent, LiveEvent, Message, SessionListing };

let currentSession: string | null = null;

export function setSession(sessionId: string | null): void {
  currentSession = sessionId;
}

export class ApiError extends Error {}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    if (typeof body.error === "string" && body.error) return body.error;
    if (typeof body.detail === "string" && body.detail) return body.detail;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${response.status}`;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (currentSession) headers.set("X-Session-Id", currentSession);
  const response = await fetch(`/ui/api${path}`, { ...init, headers });
  if (!response.ok) throw new ApiError(await errorMessage(response));
  return (await response.json()) as T;
}

export const fetchSessions = () => request<SessionListing[]>("/sessions");

export const fetchAgents = () => request<{ agents: Agent[] }>("/agents").then((result) => result.agents);

export const fetchTimeline = () =>
  request<{ messages: Message[] }>("/timeline").then((result) => result.messages);

export const sendMessage = (input: SendMessageBody) =>
  request<SendResult>("/messages/send", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });

export function eventsUrl(sessionId: string): string {
  return `/ui/api/events?session_id=${encodeURIComponent(sessionId)}`;
}
