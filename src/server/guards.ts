import { hostname, networkInterfaces } from "node:os";
import { errorResponse } from "./http-error.ts";

/** webui.md §5.2: a local server without login must refuse other people's pages and names. */

export const MAX_BODY_BYTES = 1024 * 1024;

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]", ""]);

/** A bind address or Host name as URL.hostname writes it: lowercased, IPv6 in brackets. */
function normalizeHostname(name: string): string {
  const bare = name.toLowerCase().replace(/\.$/, "");
  return bare.includes(":") && !bare.startsWith("[") ? `[${bare}]` : bare;
}

function machineAddresses(): string[] {
  const addresses = Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => normalizeHostname(entry.address)),
  );
  return [...addresses, normalizeHostname(hostname())];
}

export function allowedHostnames(bindHost: string): Set<string> {
  const allowed = new Set(LOOPBACK_NAMES);
  if (WILDCARD_ADDRESSES.has(bindHost)) for (const address of machineAddresses()) allowed.add(address);
  else allowed.add(normalizeHostname(bindHost));
  return allowed;
}

export function isLoopbackHost(bindHost: string): boolean {
  const name = normalizeHostname(bindHost);
  return LOOPBACK_NAMES.includes(name) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function hostnameOf(authority: string): string | null {
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return null;
  }
}

function isSameOrigin(origin: string, allowed: Set<string>, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const originPort = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return url.protocol === "http:" && allowed.has(url.hostname) && originPort === port;
}

/** An in-process request carries its host in the URL; one off the wire without Host has none. */
function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

export type GuardOptions = { allowed: Set<string>; port: number };

/** The first check of every request: a refusal, or null to go on. */
export function guardRequest(request: Request, options: GuardOptions): Response | null {
  const host = request.headers.get("host") ?? hostOfUrl(request.url);
  // HTTP/1.0 may leave Host out; without it the request cannot be checked against DNS rebinding.
  if (!host) return errorResponse(400, "Host header required");
  const name = hostnameOf(host);
  if (name === null || !options.allowed.has(name)) return errorResponse(403, "Host not allowed");
  const origin = request.headers.get("origin");
  if (
    WRITE_METHODS.has(request.method) &&
    origin !== null &&
    !isSameOrigin(origin, options.allowed, options.port)
  )
    return errorResponse(403, "Cross-origin request refused");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES)
    return errorResponse(413, "Request body too large");
  return null;
}
