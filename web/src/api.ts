/** The page's only door to the server: /ui/api, with the chosen session in X-Session-Id. */

import type {
  Agent,
  AgentScreen,
  ErrorBody,
  Fleet,
  FleetAgent,
  FleetState,
  LiveEvent,
  Message,
  SearchHit,
  SearchResults,
  SendMessageBody,
  SendResult,
  SessionListing,
} from "../../src/server/model.ts";

// The server's contract is the one definition of these shapes (type-only: no Elysia in the page).
export type {
  Agent,
  AgentScreen,
  Fleet,
  FleetAgent,
  FleetState,
  LiveEvent,
  Message,
  SearchHit,
  SessionListing,
};

let currentSession: string | null = null;

export function setSession(sessionId: string | null): void {
  currentSession = sessionId;
}

class ApiError extends Error {}

/** What a failed request tells the reader: the server's own words, else `fallback` (no answer at all). */
export function failureText(failure: unknown, fallback: string): string {
  return failure instanceof ApiError && failure.message ? failure.message : fallback;
}

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

export const fetchFleet = () => request<Fleet>("/fleet").then((result) => result.agents);

export const fetchScreen = (agentId: string) =>
  request<AgentScreen>(`/agents/${encodeURIComponent(agentId)}/screen`);

export const SEARCH_LIMIT = 50;

export function searchMessages(query: string, agentId?: string): Promise<SearchHit[]> {
  const params = new URLSearchParams({ q: query, limit: String(SEARCH_LIMIT) });
  if (agentId) params.set("agent_id", agentId);
  return request<SearchResults>(`/search?${params}`).then((result) => result.messages);
}

export function eventsUrl(sessionId: string): string {
  return `/ui/api/events?session_id=${encodeURIComponent(sessionId)}`;
}
