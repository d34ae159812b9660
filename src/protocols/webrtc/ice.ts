/**
 * ICE on the server side: which addresses become host candidates, and how configured STUN/TURN
 * servers reach clients (`Link` headers, RFC 9725 §4.6 / the WHEP draft). The server itself gathers
 * host candidates only: asking a STUN server would delay every answer.
 */
import type { IceServer } from "./settings.ts";

/** True for the wildcard addresses that mean "every interface". */
export function isWildcard(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * The IPv4 addresses of the host candidates: the listen address when it is a specific one, else every
 * interface's (loopback included, so clients on this machine connect), plus the NAT's public address.
 */
export function hostAddresses(
  listenHost: string,
  natHost: string,
  interfaces = interfaceAddresses,
): string[] {
  const out = isWildcard(listenHost) ? interfaces() : [listenHost.replace(/^\[|\]$/g, "")];
  if (natHost !== "" && !out.includes(natHost)) out.push(natHost);
  return out;
}

function interfaceAddresses(): string[] {
  try {
    // Deno's own call: node:os would load Node's os layer at start for this one list.
    const all = Deno.networkInterfaces();
    return [...new Set(all.filter((a) => a.family === "IPv4").map((a) => a.address))];
  } catch {
    // Without permission to list interfaces, loopback is still reachable.
    return ["127.0.0.1"];
  }
}

/** Quotes a value for a Link header parameter (RFC 8288 quoted-string). */
function quoted(v: string): string {
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * One `Link` header value per ICE server: `<turn:host:3478>; rel="ice-server"; username="u";
 * credential="p"; credential-type="password"` (RFC 9725 §4.6).
 */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  return servers.map((s) => {
    let v = `<${s.url}>; rel="ice-server"`;
    if (s.username !== "") v += `; username=${quoted(s.username)}`;
    if (s.credential !== "") v += `; credential=${quoted(s.credential)}; credential-type="password"`;
    return v;
  });
}

/**
 * The answer with only the candidates of `addresses`: werift always adds every non-loopback
 * interface, which a server bound to one address (or on a host with many) must not advertise.
 */
export function keepCandidates(sdp: string, addresses: readonly string[]): string {
  const keep = new Set(addresses);
  return sdp.split("\r\n").filter((line) => {
    if (!line.startsWith("a=candidate:")) return true;
    return keep.has(line.split(" ")[4] ?? "");
  }).join("\r\n");
}
