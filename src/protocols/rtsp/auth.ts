/**
 * RTSP authentication (RFC 2617 as RTSP uses it): Basic and Digest (MD5, with or without
 * qop=auth) for the server, and the matching Authorization header for our client.
 */
import { constantTimeEqual, md5Hex as md5, toHex } from "../../core/hash.ts";

const randomHex = (n: number) => toHex(crypto.getRandomValues(new Uint8Array(n)));

function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of header.matchAll(re)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  return constantTimeEqual(x, y);
}

export class RtspAuthenticator {
  readonly realm: string;
  #users: ReadonlyMap<string, string>;
  #nonce = randomHex(16);

  constructor(users: Record<string, string>, realm = "Estuary") {
    this.#users = new Map(Object.entries(users));
    this.realm = realm;
  }

  /** WWW-Authenticate headers for a 401: Digest first (clients prefer it), then Basic. */
  challenge(): [string, string][] {
    return [
      ["WWW-Authenticate", `Digest realm="${this.realm}", nonce="${this.#nonce}", algorithm=MD5`],
      ["WWW-Authenticate", `Basic realm="${this.realm}"`],
    ];
  }

  /** The user name when the Authorization header is valid for this method, else undefined. */
  verify(method: string, header: string | undefined): string | undefined {
    if (!header) return undefined;
    const sp = header.indexOf(" ");
    const scheme = header.slice(0, sp).toLowerCase();
    const rest = header.slice(sp + 1).trim();
    if (scheme === "basic") {
      let decoded: string;
      try {
        decoded = atob(rest);
      } catch {
        return undefined;
      }
      const i = decoded.indexOf(":");
      const user = decoded.slice(0, i), pass = decoded.slice(i + 1);
      const want = this.#users.get(user);
      return i > 0 && want !== undefined && safeEqual(pass, want) ? user : undefined;
    }
    if (scheme !== "digest") return undefined;
    const p = params(rest);
    const pass = this.#users.get(p.username ?? "");
    if (pass === undefined || p.nonce !== this.#nonce || !p.uri || !p.response) return undefined;
    const expected = digestResponse({
      user: p.username,
      pass,
      realm: this.realm,
      nonce: p.nonce,
      method,
      uri: p.uri,
      qop: p.qop,
      nc: p.nc,
      cnonce: p.cnonce,
    });
    return safeEqual(expected, p.response.toLowerCase()) ? p.username : undefined;
  }
}

function digestResponse(o: {
  user: string;
  pass: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}): string {
  const ha1 = md5(`${o.user}:${o.realm}:${o.pass}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  return o.qop
    ? md5(`${ha1}:${o.nonce}:${o.nc}:${o.cnonce}:${o.qop}:${ha2}`)
    : md5(`${ha1}:${o.nonce}:${ha2}`);
}

/** Our client's Authorization header for a server's challenges (Digest preferred). */
export function authorization(
  challenges: readonly string[],
  o: { user: string; pass: string; method: string; uri: string },
): string | undefined {
  const digest = challenges.find((c) => /^digest\s/i.test(c));
  if (digest) {
    const p = params(digest.slice(7));
    const qop = p.qop?.split(",").map((s) => s.trim()).includes("auth") ? "auth" : undefined;
    const nc = "00000001", cnonce = randomHex(8);
    const response = digestResponse({
      user: o.user,
      pass: o.pass,
      realm: p.realm ?? "",
      nonce: p.nonce ?? "",
      method: o.method,
      uri: o.uri,
      qop,
      nc,
      cnonce,
    });
    let h =
      `Digest username="${o.user}", realm="${p.realm ?? ""}", nonce="${p.nonce ?? ""}", uri="${o.uri}", ` +
      `response="${response}"`;
    if (p.opaque) h += `, opaque="${p.opaque}"`;
    if (qop) h += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
    return h;
  }
  if (challenges.some((c) => /^basic/i.test(c))) return `Basic ${btoa(`${o.user}:${o.pass}`)}`;
  return undefined;
}
