/**
 * SYN cookies (draft-sharabayko-srt §4.3.1.1): the listener keeps no state until a CONCLUSION
 * echoes a cookie derived from the caller's address and the current minute.
 */
import { hmacSha256 } from "../../core/hash.ts";

const encoder = new TextEncoder();

export class CookieJar {
  #secret = crypto.getRandomValues(new Uint8Array(32));

  bake(host: string, port: number, nowMs = Date.now(), minutesAgo = 0): number {
    const minute = Math.floor(nowMs / 60_000) - minutesAgo;
    const d = hmacSha256(this.#secret, encoder.encode(`${host}:${port}:${minute}`));
    // Never 0: that means "no cookie" in an induction request.
    return ((d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3]) >>> 0) || 1;
  }

  /** Accepts this minute's cookie or the previous minute's (a handshake across the boundary). */
  check(cookie: number, host: string, port: number, nowMs = Date.now()): boolean {
    return cookie === this.bake(host, port, nowMs) || cookie === this.bake(host, port, nowMs, 1);
  }
}
