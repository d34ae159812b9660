/** Facts about the client that several routes need. */

/** The client's address from the HTTP front's env ("" when unknown, e.g. in app.request tests). */
export function remoteAddr(env: unknown): string {
  const a = (env as { remoteAddr?: { hostname?: string; port?: number } } | undefined)?.remoteAddr;
  return a?.hostname ? `${a.hostname}:${a.port}` : "";
}

/** The host name the client used, without the port (Host header; "[::1]" keeps its brackets). */
export function requestHost(req: Request): string {
  return hostName(req.headers.get("host") ?? new URL(req.url).host);
}

/** A Host field without the port ("[::1]" keeps its brackets). */
export function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const i = host.lastIndexOf(":");
  return i < 0 ? host : host.slice(0, i);
}
