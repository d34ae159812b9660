/**
 * One HTTP/1.1 connection: requests in order (pipelined ones wait in the buffer), each handed to
 * the app as a fetch `Request`, its `Response` written back, until the client or a deadline ends
 * it. Deadlines: the request head must be complete within `headerTimeoutMs` of the connection
 * opening (or of a keep-alive request's first byte); between requests it may idle `idleTimeoutMs`.
 * Anything that breaks the grammar or a limit gets one short answer and the connection closes.
 */
import type { Logger } from "../../log/mod.ts";
import { RequestBody } from "./body.ts";
import { ConnReader, writeAll } from "./conn_reader.ts";
import { badRequest, HttpFrontError } from "./errors.ts";
import { headerValue, parseRequestHead, type RequestHead } from "./request_parser.ts";
import { checkTarget, requestUrl } from "./request_target.ts";
import { simpleResponse, statusLine, writeResponse } from "./response_writer.ts";
import { acceptKey, checkHandshake, wantsWebSocket } from "./websocket.ts";
import { FrontWebSocket } from "./ws_socket.ts";
import { LiveBody } from "./live_body.ts";
import { HotWriter } from "./hot_writer.ts";
import { frontDeadlines } from "./deadlines.ts";

export interface FrontLimits {
  /** Connections open at once, in total and from one client address. */
  maxConns: number;
  maxConnsPerIp: number;
  /** Descriptors kept free under the process's soft limit (<sock><fdreserve>); 0 = never refuse. */
  fdReserve: number;
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  /** A WebSocket silent this long is pinged at half of it and closed at the end; 0 = never. */
  wsIdleMs: number;
  /** Largest request body (httpmaxbody). */
  maxBody: number;
  /** Largest WebSocket message accepted from a client. */
  maxWsMessage: number;
}

/** What the app sees as its second fetch argument (Hono's `c.env`). */
export interface FrontEnv {
  remoteAddr: Deno.NetAddr;
  /** Present on a valid WebSocket handshake: takes the connection over once the app answers. */
  upgradeWebSocket?: () => { socket: FrontWebSocket; response: Response };
  /**
   * Takes the response body over for a live stream (HTTP-FLV): the app answers with a bodiless
   * 200 carrying the headers, and then writes through the returned sink straight onto the socket.
   */
  liveBody?: () => LiveBody;
}

export type FrontFetch = (req: Request, env: FrontEnv) => Response | Promise<Response>;

/** A plain keep-alive GET as the hot routes see it: no fetch Request is built for it. */
export interface HotRequest {
  /** The path, still percent-encoded, and the query without "?" ("" when none). */
  path: string;
  query: string;
  /** The Host header ("" when none) and a field by its lower-case name. */
  host: string;
  header(name: string): string;
  remoteAddr: Deno.NetAddr;
}

/**
 * The routes served without the fetch app (HLS/DASH playlists and segments, polled by every
 * player): undefined when the request is not theirs (it then goes to the app), else the complete
 * HTTP/1.1 response (head and body, keep-alive) written as is in one write.
 */
export type HotRoute = (req: HotRequest) => Uint8Array | Promise<Uint8Array> | undefined;

export interface ConnectionOptions {
  fetch: FrontFetch;
  hot?: HotRoute;
  limits: FrontLimits;
  log: Logger;
  tls: boolean;
}

/** Bytes a pipelining client may send ahead while a response is still being written. */
const READ_AHEAD = 64 * 1024;
/** Unread request body we drop to keep a connection alive; more and we close instead. */
const DRAIN_MAX = 64 * 1024;

export async function serveConnection(conn: Deno.Conn, o: ConnectionOptions): Promise<void> {
  // A live body outlives the request that opened it: only its end is awaited here, so the request's
  // objects (head, Request, Headers, Response, body stream) are garbage while the player plays.
  const live = await serveRequests(conn, o);
  if (live) await live;
}

/** Serves requests until the connection ends, or returns the end of a live body that took it over. */
async function serveRequests(conn: Deno.Conn, o: ConnectionOptions): Promise<Promise<unknown> | undefined> {
  const r = new ConnReader(conn);
  const remote = conn.remoteAddr as Deno.NetAddr;
  let timedOut = "";
  let handedOff = false;
  const hot = new HotWriter(conn);
  const timer = frontDeadlines.create((why) => {
    timedOut = why;
    try {
      conn.close();
    } catch { /* already closed */ }
  });
  const deadline = (ms: number, why: string) => timer.arm(ms, why);
  try {
    let first = true;
    for (;;) {
      deadline(
        first ? o.limits.headerTimeoutMs : o.limits.idleTimeoutMs,
        first ? "request head" : "keep-alive idle",
      );
      const head = await readHead(r, () => deadline(o.limits.headerTimeoutMs, "request head"), !first);
      first = false;
      timer.clear();
      if (!head) return;
      const next = await serveRequest(conn, r, head, o, remote, hot);
      if (next === false) return;
      if (next !== true) {
        handedOff = true; // the live body or WebSocket closes the connection when it ends
        return next.until;
      }
    }
  } catch (err) {
    if (timedOut) o.log.debug("connection closed by deadline", { remote: addr(remote), deadline: timedOut });
    else if (err instanceof HttpFrontError) {
      o.log.info("bad request", { remote: addr(remote), status: err.status, why: err.message });
      if (!err.answered) await writeAll(conn, simpleResponse(err.status, err.message)).catch(() => {});
    } else if (!isGone(err)) o.log.warn("connection failed", { remote: addr(remote), err });
  } finally {
    timer.clear();
    hot.close();
    if (!handedOff) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}

/** The next request head, or null when the client closed between requests. */
async function readHead(r: ConnReader, firstByte: () => void, idle: boolean): Promise<RequestHead | null> {
  for (;;) {
    // RFC 9112 §2.2: a server should ignore empty lines before a request line.
    while (r.buffered.length >= 2 && r.buffered[0] === 0x0d && r.buffered[1] === 0x0a) r.consume(2);
    const head = r.buffered.length ? parseRequestHead(r.buffered) : undefined;
    if (head) {
      r.consume(head.size);
      return head;
    }
    const had = r.buffered.length;
    if (!await r.fill()) {
      if (had === 0) return null;
      throw badRequest(`connection ended inside a request head after ${had} bytes`);
    }
    if (idle && had === 0) {
      idle = false;
      firstByte();
    }
  }
}

/**
 * Serves one request; false when the connection must end. A live body or a WebSocket that took the
 * connection over comes back as `until` (its end): the caller waits for that without this frame.
 */
async function serveRequest(
  conn: Deno.Conn,
  r: ConnReader,
  head: RequestHead,
  o: ConnectionOptions,
  remote: Deno.NetAddr,
  hot: HotWriter,
): Promise<boolean | { until: Promise<unknown> }> {
  if (o.hot && isPlainGet(head)) {
    checkTarget(head);
    const answer = hotAnswer(head, o.hot, remote);
    if (answer) return await hot.write(answer, head.target, o.log);
  }
  const ws = wantsWebSocket(head.headers);
  const wsKey = ws ? checkHandshake(head.method, head.minor, head.headers) : "";
  checkTarget(head);
  if (head.body.kind === "length" && head.body.length > o.limits.maxBody) {
    throw new HttpFrontError(
      "too_large",
      413,
      `request body of ${head.body.length} bytes refused: httpmaxbody is ${o.limits.maxBody}`,
    );
  }
  const ac = new AbortController();
  let failure: HttpFrontError | undefined;
  const expects = headerValue(head.headers, "expect").toLowerCase() === "100-continue";
  const body = new RequestBody(r, head.body, {
    maxBody: o.limits.maxBody,
    onFirstPull: expects
      ? () => writeAll(conn, new TextEncoder().encode(statusLine(100) + "\r\n"))
      : undefined,
    onError: (e) => {
      // Answer at once, while the app may still be reading: the client stops sending now.
      failure = e;
      e.answered = true;
      ac.abort(e);
      writeAll(conn, simpleResponse(e.status, e.message)).catch(() => {}).finally(() => {
        try {
          conn.close();
        } catch { /* already closed */ }
      });
    },
  });
  const bodyless = head.method === "GET" || head.method === "HEAD";
  if (bodyless && !body.finished && !await body.discard(DRAIN_MAX)) {
    throw badRequest(`${head.method} body too long`);
  }
  const url = requestUrl(head, o.tls);
  let headers: Headers;
  try {
    headers = new Headers(head.headers);
  } catch (err) {
    throw badRequest(`header rejected: ${(err as Error).message}`);
  }
  const req = new Request(url, {
    method: head.method,
    headers,
    body: bodyless || body.finished ? null : body.stream,
    signal: ac.signal,
    // @ts-ignore: a streamed request body needs duplex (not in every lib.dom version)
    duplex: "half",
  });
  let socket: FrontWebSocket | undefined;
  const env: FrontEnv = { remoteAddr: remote };
  if (ws) {
    env.upgradeWebSocket = () => {
      if (socket) throw new Error("upgradeWebSocket called twice");
      socket = new FrontWebSocket(conn, r, { maxMessage: o.limits.maxWsMessage, idleMs: o.limits.wsIdleMs });
      // A placeholder: fetch Responses cannot carry 101; the front writes the real answer.
      return { socket, response: new Response(null, { status: 200 }) };
    };
  }
  let live: LiveBody | undefined;
  if (!ws && head.method === "GET") {
    env.liveBody = () => {
      if (live) throw new Error("liveBody called twice");
      return live = new LiveBody(conn);
    };
  }
  const watch = { on: true };
  if (body.finished) {
    // Nothing more to read for this request: a grown buffer goes (a player only needs to notice close).
    r.shrink();
    watchForLeave(r, ac, watch);
  }
  let res: Response;
  try {
    res = await o.fetch(req, env);
  } catch (err) {
    o.log.error("request failed", { path: url.pathname, err });
    res = new Response(JSON.stringify({ code: 500, msg: "internal error" }), { status: 500 });
  }
  if (failure) {
    await res.body?.cancel().catch(() => {});
    throw failure;
  }
  if (socket && res.status === 200) {
    watch.on = false;
    const accept = await acceptKey(wsKey);
    await writeAll(
      conn,
      new TextEncoder().encode(
        statusLine(101) +
          `upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
      ),
    );
    socket.accept();
    const until = socket.run().catch((err) => {
      if (!isGone(err)) o.log.warn("connection failed", { remote: addr(remote), err });
    }).finally(() => {
      try {
        conn.close();
      } catch { /* already closed */ }
    });
    return { until };
  }
  socket?.abort("the app answered without upgrading");
  if (live) {
    if (res.status !== 200) live.end(`the app answered ${res.status}`);
    else {
      ac.signal.addEventListener("abort", () => live!.end("client left"), { once: true });
      await writeResponse(conn, res, {
        head: false,
        minor: head.minor,
        keepAlive: false,
        signal: ac.signal,
        live: true,
      });
      live.open();
      // The watch goes on until the body ends: a player that leaves is noticed at once.
      return { until: live.closed };
    }
  }
  if (!body.finished && !failure) watchForLeave(r, ac, watch);
  let keep: boolean;
  try {
    keep = await writeResponse(conn, res, {
      head: head.method === "HEAD",
      minor: head.minor,
      keepAlive: head.keepAlive && !ws,
      signal: ac.signal,
    });
  } finally {
    watch.on = false;
  }
  if (failure) throw failure;
  if (!keep || ac.signal.aborted) return false;
  // An unread body stands between us and the next request: drop a little of it, or close.
  return body.finished || await body.discard(DRAIN_MAX).catch(() => false);
}

/**
 * A GET the hot routes may answer: HTTP/1.1 keep-alive (their prebuilt answers are), no body and
 * no upgrade (HEAD, HTTP/1.0, WebSockets go to the app).
 */
function isPlainGet(head: RequestHead): boolean {
  if (head.method !== "GET" || head.minor !== 1 || !head.keepAlive || head.body.kind !== "none") return false;
  for (const [n] of head.headers) if (n === "upgrade") return false;
  return true;
}

/** The hot routes' answer, or undefined when the request is not one they take. */
function hotAnswer(head: RequestHead, hot: HotRoute, remote: Deno.NetAddr) {
  const t = head.target;
  if (t.charCodeAt(0) !== 0x2f) return undefined; // origin-form only ("/...")
  const q = t.indexOf("?");
  const field = (name: string) => {
    for (const [n, v] of head.headers) if (n === name) return v;
    return "";
  };
  return hot({
    path: q < 0 ? t : t.slice(0, q),
    query: q < 0 ? "" : t.slice(q + 1),
    host: field("host"),
    header: field,
    remoteAddr: remote,
  });
}

/**
 * While a response is being written, keeps a read pending so a client that leaves is noticed at
 * once (the request signal fires and a streamed body is cancelled). Pipelined bytes stay buffered.
 */
async function watchForLeave(r: ConnReader, ac: AbortController, watch: { on: boolean }): Promise<void> {
  try {
    while (watch.on && r.buffered.length < READ_AHEAD) {
      if (!await r.fill()) {
        if (watch.on) ac.abort(new Error("client left"));
        return;
      }
    }
  } catch {
    if (watch.on) ac.abort(new Error("client left"));
  }
}

function addr(a: Deno.NetAddr): string {
  return `${a.hostname}:${a.port}`;
}

/** The client went away (or a deadline closed the socket): not worth a warning. */
function isGone(err: unknown): boolean {
  return err instanceof Deno.errors.BadResource || err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.UnexpectedEof || (err as Error)?.message === "client left" ||
    (err as Error)?.name === "InvalidData";
}
