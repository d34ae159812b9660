/**
 * A request's Host and target (RFC 9112 §3.2, RFC 3986): checked before any route sees them, and the
 * URL the app gets.
 */
import { badRequest } from "./errors.ts";
import { headerValue, type RequestHead } from "./request_parser.ts";

/** Refuses a request whose Host or target breaks the grammar (RFC 9112 §3.2) or has dot segments. */
export function checkTarget(head: RequestHead): void {
  let host = "", hosts = 0;
  for (const [n, v] of head.headers) {
    if (n === "host") {
      host = v;
      hosts++;
    }
  }
  if (head.minor === 1 && !host) {
    throw badRequest("Host header missing: HTTP/1.1 requires it (RFC 9112 §3.2)");
  }
  if (hosts > 1) throw badRequest("several Host headers refused");
  if (host && !/^[A-Za-z0-9.\-_~%!$&'()*+,;=:\[\]]+$/.test(host)) {
    throw badRequest(`Host ${JSON.stringify(host.slice(0, 60))} is invalid: must be host[:port]`);
  }
  const t = head.target;
  if (!t.startsWith("/") && !/^https?:\/\//i.test(t) && !(t === "*" && head.method === "OPTIONS")) {
    throw badRequest(`request target ${JSON.stringify(t.slice(0, 60))} is invalid: must start with /`);
  }
  // The URL parser would resolve dot segments away and hide a traversal attempt from the routes;
  // browsers and players never send them (RFC 3986 §5.2.4 is the client's job), so refuse them.
  const path = t.split(/[?#]/, 1)[0];
  // (%2e counts: the URL parser treats "%2e%2e" as "..".)
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) {
    throw badRequest(`request target ${JSON.stringify(t.slice(0, 60))} is invalid: dot segments are refused`);
  }
}

/** The request's URL (its target already checked). */
export function requestUrl(head: RequestHead, tls: boolean): URL {
  const t = head.target;
  const base = `${tls ? "https" : "http"}://${headerValue(head.headers, "host") || "localhost"}`;
  try {
    return new URL(t.startsWith("/") ? base + t : t === "*" ? base + "/" : t);
  } catch {
    throw badRequest(`request target ${JSON.stringify(t.slice(0, 60))} is not a valid URL`);
  }
}
