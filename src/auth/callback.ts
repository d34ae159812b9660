/**
 * smart_rtmpd's auth callback: before a publish, play, API call, upload or download the server
 * sends `GET http://<authurl><router>/<app>/<name>[.ext]?<client query>&type=<t>&role=<r>` with
 * `User-Agent: smart_rtmpd`. HTTP 200 allows; any other status, a network error or a timeout denies.
 */
import { type AdmissionRequest, AuthError, type Authorizer } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";

export interface AuthCallbackOptions {
  /** The callback's base URL (scheme, host, router) as the config derives it (`authurl.url`); "" = no auth. */
  url: string;
  /** `<authurl timeout>` in ms: a callback that has not answered by then denies. */
  timeoutMs?: number;
  /**
   * `<authurl cache>` in ms: an allow is reused this long for the same callback URL (0: ask every time).
   * An HLS or DASH player asks again with each playlist it polls; without this, a thousand players
   * polling every two seconds would be five hundred callbacks a second.
   */
  cacheMs?: number;
  log?: Logger;
}

/** The roles the HTTP features (API, VOD upload/download) ask about; `type` is always `http`. */
export interface HttpAuthRequest {
  role: "api" | "upload" | "download";
  /** The requested path without the leading "/", e.g. "api/live" or "vod/films/a.mp4". */
  path: string;
  /** The client's own query string, without "?". */
  query: string;
  remote?: string;
}

export type HttpAuthorizer = (req: HttpAuthRequest) => Promise<void>;

/** Query keys the server sets itself: a client must not be able to pass its own. */
const RESERVED = new Set(["type", "role"]);

/** Builds the callback URL for one request (exported for tests and logs). */
export function authUrl(
  base: string,
  req: { path: string; query: string; type: string; role: string },
): string {
  const path = req.path.split("/").filter((s) => s !== "").map(encodeURIComponent).join("/");
  const params: string[] = [];
  for (const part of req.query.replace(/^\?/, "").split("&")) {
    if (part === "") continue;
    const key = part.split("=", 1)[0];
    let name = key;
    try {
      name = decodeURIComponent(key.replace(/\+/g, " "));
    } catch { /* keep the raw key */ }
    if (!RESERVED.has(name.toLowerCase())) params.push(part);
  }
  params.push(`type=${encodeURIComponent(req.type)}`, `role=${encodeURIComponent(req.role)}`);
  return `${base}/${path}?${params.join("&")}`;
}

/** Most allows one authorizer remembers; past it the oldest go first. */
const CACHE_MAX = 10_000;

/**
 * Allows by callback URL for `ttlMs`, and one callback at a time per URL: a join storm of players with
 * the same token (500 reconnecting at once) asks once. Denials are not kept: a fixed token works at once.
 */
export class AllowCache {
  #ttlMs: number;
  #allowed = new Map<string, number>();
  #pending = new Map<string, Promise<void>>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  ask(url: string, asker: () => Promise<void>, now = Date.now()): Promise<void> {
    if (this.#ttlMs <= 0) return asker();
    const until = this.#allowed.get(url);
    if (until !== undefined) {
      if (until > now) return Promise.resolve();
      this.#allowed.delete(url);
    }
    let p = this.#pending.get(url);
    if (!p) {
      p = asker().then(() => {
        if (this.#allowed.size >= CACHE_MAX) this.#allowed.delete(this.#allowed.keys().next().value!);
        this.#allowed.set(url, Date.now() + this.#ttlMs);
      }).finally(() => this.#pending.delete(url));
      this.#pending.set(url, p);
    }
    return p;
  }

  get size(): number {
    return this.#allowed.size;
  }
}

/**
 * A callback URL as logs and errors show it: the client's values masked (a token is a credential),
 * `type` and `role` kept, and no user:password.
 */
export function shownAuthUrl(url: string): string {
  const [base, query = ""] = url.replace(/\/\/[^@/]*@/, "//").split("?", 2);
  if (query === "") return base;
  const parts = query.split("&").map((kv) => {
    const [k] = kv.split("=", 1);
    return k === "type" || k === "role" || !kv.includes("=") ? kv : `${k}=…`;
  });
  return `${base}?${parts.join("&")}`;
}

/** Asks the auth server; resolves when it answers 200, throws AuthError otherwise. */
async function ask(url: string, timeoutMs: number, log?: Logger): Promise<void> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  let status: number;
  try {
    const res = await fetch(url, {
      headers: { "User-Agent": "smart_rtmpd" },
      signal: ctl.signal,
      redirect: "manual",
    });
    status = res.status;
    // Free the connection whatever the answer: the body is never needed.
    await res.body?.cancel().catch(() => {});
  } catch (err) {
    const why = ctl.signal.aborted
      ? `did not answer within ${timeoutMs} ms`
      : `failed: ${(err as Error)?.message ?? err}`;
    log?.warn("auth denied", { url: shownAuthUrl(url), why });
    throw new AuthError(`auth callback ${shownAuthUrl(url)} ${why}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (status !== 200) {
    log?.info("auth denied", { url: shownAuthUrl(url), status });
    throw new AuthError(`auth callback ${shownAuthUrl(url)} answered ${status}: only 200 allows`);
  }
  log?.debug("auth allowed", { url: shownAuthUrl(url) });
}

/** The Hub's Authorizer for publish/play, or undefined when no authurl is configured. */
export function createAuthorizer(opts: AuthCallbackOptions): Authorizer | undefined {
  const base = opts.url;
  if (base === "") return undefined;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const log = opts.log?.child({ sess: "auth" });
  const cache = new AllowCache(opts.cacheMs ?? 0);
  return (req: AdmissionRequest) => {
    const url = authUrl(base, {
      path: `${req.app}/${req.name}${req.ext ?? ""}`,
      query: req.query,
      type: req.protocol,
      role: req.role,
    });
    return cache.ask(url, () => ask(url, timeoutMs, log));
  };
}

/** The authorizer for API calls, uploads and downloads (type=http), or undefined without authurl. */
export function createHttpAuthorizer(opts: AuthCallbackOptions): HttpAuthorizer | undefined {
  const base = opts.url;
  if (base === "") return undefined;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const log = opts.log?.child({ sess: "auth" });
  const cache = new AllowCache(opts.cacheMs ?? 0);
  return (req: HttpAuthRequest) => {
    const url = authUrl(base, { path: req.path, query: req.query, type: "http", role: req.role });
    return cache.ask(url, () => ask(url, timeoutMs, log));
  };
}
