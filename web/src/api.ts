/** The page's only door to the server: /ui/api, with the chosen session in X-Session-Id. */

import type { SessionListing } from "../../src/broker/sessions.ts";
import type { Message as BrokerMessage } from "../../src/broker/timeline.ts";

export type { SessionListing };

export type Agent = {
  agent_id: string;
  name: string;
  description: string;
  status: "active" | "deregistered";
  registered_at: string;
  kind: "builtin-administrator" | "user";
};

/** The server's Message object (one definition, in the broker), with the states the page tells apart. */
export type Message = Omit<BrokerMessage, "status"> & { status: "input_required" | "completed" | "canceled" };

export type LiveEvent = { messages: Message[]; agents_changed: boolean };

let currentSession: string | null = null;

export function setSession(sessionId: string | null): void {
  currentSession = sessionId;
}

export class ApiError extends Error {}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown; detail?: unknown };
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

export const sendMessage = (input: { from_agent_id: string; to_agent_id: string; text: string }) =>
  request<{ task_id: string; status: string }>("/messages/send", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });

export function eventsUrl(sessionId: string): string {
  return `/ui/api/events?session_id=${encodeURIComponent(sessionId)}`;
}
