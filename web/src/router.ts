import { createSignal } from "solid-js";

/** Hash routes (webui.md §4.1): `#/sessions/<id>/agents`, anything else is the session picker. */

export type Route = { screen: "sessions" } | { screen: "session"; sessionId: string };

const SESSION_ROUTE = /^sessions\/([^/]+)\/agents/;

export function parseHash(hash: string): Route {
  const match = SESSION_ROUTE.exec(hash.replace(/^#/, "").replace(/^\//, ""));
  return match ? { screen: "session", sessionId: decodeURIComponent(match[1]!) } : { screen: "sessions" };
}

const [route, setRoute] = createSignal<Route>(parseHash(window.location.hash));
window.addEventListener("hashchange", () => setRoute(parseHash(window.location.hash)));

export { route };

export function goToSessions(): void {
  window.location.hash = "#/sessions";
}

export function goToSession(sessionId: string): void {
  window.location.hash = `#/sessions/${encodeURIComponent(sessionId)}/agents`;
}
