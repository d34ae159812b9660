/**
 * Admin session tokens: `<payload>.<signature>`, both base64url, the payload JSON `{u, iat, exp, id}`
 * signed with HMAC-SHA256 under a secret kept in the store (so a restart does not log everyone out).
 * Verification checks the signature, the expiry, a logout (revoked ids until they expire) and that
 * the user still exists and has not changed password since the token was issued; the role is read
 * from the store on every call, so a demotion applies at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store, User, UserStore } from "../store/mod.ts";

const SECRET_KEY = "admin.token_secret";
const b64url = (b: Buffer | Uint8Array) => Buffer.from(b).toString("base64url");

interface Payload {
  u: string;
  iat: number;
  exp: number;
  id: string;
}

export class Tokens {
  #secret: Buffer;
  #store: Store;
  #users: UserStore;
  #ttlMs: number;
  /** Logged-out token ids, until their expiry. */
  #revoked = new Map<string, number>();
  #now: () => number;

  constructor(store: Store, users: UserStore, ttlMs: number, now = () => Date.now()) {
    this.#store = store;
    this.#users = users;
    this.#ttlMs = ttlMs;
    this.#now = now;
    let s = store.setting(SECRET_KEY);
    if (!s) {
      s = randomBytes(32).toString("base64");
      store.setSetting(SECRET_KEY, s);
    }
    this.#secret = Buffer.from(s, "base64");
  }

  set ttlMs(ms: number) {
    this.#ttlMs = ms;
  }

  issue(user: string): { token: string; expires: number } {
    const iat = this.#now();
    const p: Payload = { u: user, iat, exp: iat + this.#ttlMs, id: randomBytes(9).toString("base64url") };
    const body = b64url(new TextEncoder().encode(JSON.stringify(p)));
    return { token: `${body}.${this.#sign(body)}`, expires: p.exp };
  }

  /** The user a token stands for, or the reason it does not. */
  verify(token: string): { user: User; id: string; exp: number } | { refused: string } {
    const dot = token.indexOf(".");
    if (dot <= 0 || token.length > 1024) return { refused: "malformed token" };
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), "base64url");
    const want = Buffer.from(this.#sign(body), "base64url");
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return { refused: "bad token signature" };
    let p: Payload;
    try {
      p = JSON.parse(new TextDecoder().decode(Buffer.from(body, "base64url")));
    } catch {
      return { refused: "malformed token" };
    }
    const now = this.#now();
    if (typeof p.exp !== "number" || p.exp <= now) return { refused: "token expired" };
    if (this.#revoked.has(p.id)) return { refused: "logged out" };
    const user = this.#users.get(p.u);
    if (!user) return { refused: `user ${p.u} no longer exists` };
    const since = Number(this.#store.setting(`admin.pwd_changed.${p.u}`) ?? 0);
    if (p.iat < since) return { refused: "password changed since login" };
    return { user, id: p.id, exp: p.exp };
  }

  revoke(id: string, exp: number): void {
    const now = this.#now();
    for (const [k, e] of this.#revoked) if (e <= now) this.#revoked.delete(k);
    this.#revoked.set(id, exp);
  }

  /** Ends every token of a user issued before now (after a password change). */
  revokeUser(name: string): void {
    this.#store.setSetting(`admin.pwd_changed.${name}`, String(this.#now()));
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }
}
