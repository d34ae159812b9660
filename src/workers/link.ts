/**
 * A worker's end of the control channel. It joins the supervisor with its private ports, keeps the
 * view the supervisor pushes (who publishes what, and the siblings' ports), claims the keys published
 * here, and runs its private control port on 127.0.0.1: the pushed view, and the requests siblings
 * make to gather the whole server's API or to fetch a stream's HLS/DASH from its publisher's worker
 * (handed to this worker's own HTTP app, marked as local).
 */
import { StreamBusyError } from "../core/errors.ts";
import type { Logger } from "../log/mod.ts";
import {
  mergeLive,
  mergeMetricsText,
  mergeStatistics,
  mergeStreams,
  type WorkerAnswer,
} from "./aggregate.ts";
import { LOCAL_HEADER, type WorkerView } from "./control.ts";
import type { Claim, WorkerEntry } from "./registry.ts";

/** The HTTP app's fetch: the second argument is the front's env (the client's address). */
type Fetch = (req: Request, env?: { remoteAddr: Deno.NetAddr }) => Response | Promise<Response>;

/** The client's address of a request a sibling forwards (the app counts HLS players by it). */
const CLIENT_HEADER = "x-estuary-client";

/** Who this process is among the workers (from the supervisor's environment). */
export interface WorkerIdentity {
  index: number;
  /** The supervisor's control port on 127.0.0.1. */
  controlPort: number;
  /** The workers' shared secret (WORKER_SECRET_ENV). */
  secret: string;
}

/** This worker's counters in /api/workers (which connections the kernel gave it). */
export interface WorkerSelf {
  index: number;
  pid: number;
  /** Players connected to this worker (relay pulls of siblings not counted). */
  players: number;
  /** Keys published on this worker. */
  publishing: string[];
}

/** The HLS and DASH paths of a stream: /app/name.m3u8, /app/name.mpd, /app/name/… (segments). */
const SEGMENTED = /^\/([^/]+)\/([^/]+?)(?:\.(?:m3u8|mpd)$|\/.+)/;

export class WorkerLink {
  readonly index: number;
  readonly secret: string;
  #supervisor: string;
  #log: Logger;
  #view: WorkerView = { claims: [], workers: [] };
  #claims = new Map<string, Claim>();
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #app: Fetch | undefined;
  #parentTimer: ReturnType<typeof setInterval> | undefined;
  #onSiblingPublish: (keys: string[]) => void = () => {};
  #self: () => WorkerSelf = () => ({ index: this.index, pid: Deno.pid, players: 0, publishing: [] });

  constructor(id: WorkerIdentity, log: Logger) {
    this.index = id.index;
    this.secret = id.secret;
    this.#supervisor = `http://127.0.0.1:${id.controlPort}`;
    this.#log = log;
  }

  /** The server's logger and this worker's counters (the workers service binds them). */
  bind(log: Logger, self: () => WorkerSelf): void {
    this.#log = log;
    this.#self = self;
  }

  /** This worker's HTTP app (the HTTP service hands it over once it runs). */
  setApp(app: Fetch | undefined): void {
    this.#app = app;
  }

  /** Opens the private control port and joins the supervisor with it and the relay port. */
  async start(relayPort: number): Promise<void> {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#serve(req),
    );
    const controlPort = this.#server.addr.port;
    const view = await this.#post("/join", { index: this.index, pid: Deno.pid, relayPort, controlPort });
    this.#apply(view);
    this.#log.info("worker joined", {
      worker: this.index,
      pid: Deno.pid,
      relay_port: relayPort,
      control_port: controlPort,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#parentTimer);
    await this.#server?.shutdown();
  }

  /**
   * A worker whose supervisor is gone (killed with SIGKILL, so it could not stop its workers) stops
   * itself gracefully, as on SIGTERM, instead of holding the ports forever.
   */
  watchSupervisor(stop: () => void, everyMs = 2000): void {
    const parent = Deno.ppid;
    const timer = setInterval(() => {
      if (Deno.ppid === parent) return;
      clearInterval(timer);
      this.#log.warn("supervisor gone; worker stopping", { worker: this.index, supervisor_pid: parent });
      stop();
    }, everyMs);
    Deno.unrefTimer(timer);
    this.#parentTimer = timer;
  }

  /**
   * True when `path` is the HLS/DASH of a stream a sibling publishes: the request must go through the
   * app, which proxies it to that worker (the HTTP front's hot routes would start a segmenter here).
   */
  servedBySibling(path: string): boolean {
    return this.#segmentedOwner(path) !== undefined;
  }

  /** The sibling holding the stream of an HLS/DASH path; undefined for any other path. */
  #segmentedOwner(path: string): Claim | undefined {
    const m = SEGMENTED.exec(path);
    if (!m) return undefined;
    try {
      return this.sibling(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
    } catch {
      return undefined; // a malformed escape: the local app refuses the name (400)
    }
  }

  /** Where a key is published, when on a sibling worker (from the pushed view). */
  sibling(key: string): Claim | undefined {
    const c = this.#claims.get(key);
    return c && c.worker !== this.index ? c : undefined;
  }

  holder(key: string): number | undefined {
    return this.#claims.get(key)?.worker;
  }

  /** This worker publishes `key` (over `from`); throws StreamBusyError when a sibling does. */
  async claim(key: string, from?: string): Promise<void> {
    this.#apply(await this.#post("/claim", { index: this.index, key, from }));
  }

  async release(key: string): Promise<void> {
    this.#apply(await this.#post("/release", { index: this.index, key }));
  }

  /**
   * A public request that this worker does not answer alone: the whole server's API, or a stream's
   * HLS/DASH when a sibling publishes it. Undefined: the local app answers.
   */
  intercept(req: Request, client?: Deno.NetAddr): Promise<Response> | undefined {
    if (req.headers.get(LOCAL_HEADER) === "local") return undefined;
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.method === "POST" && (path === "/admin/api/record" || path === "/admin/api/stream")) {
      // A stream is recorded and kicked on the worker that publishes it (app and name in the query).
      const c = this.sibling(`${url.searchParams.get("app") ?? ""}/${url.searchParams.get("name") ?? ""}`);
      const w = c && this.#view.workers.find((x) => x.index === c.worker);
      return w ? this.#forward(req, w, client) : undefined;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return undefined;
    switch (path) {
      case "/api/live":
        return this.#gatherJson(req, (a) => mergeLive(url.searchParams, a, this.#holderOf(url.searchParams)));
      case "/api/streams":
        return this.#gatherJson(req, (a) => mergeStreams(a, (k) => this.holder(k)));
      case "/api/statistics":
        return this.#gatherJson(req, (a) => mergeStatistics(a));
      case "/api/workers":
        return this.#workers();
      case "/metrics":
        return this.#gatherMetrics(req);
    }
    const owner = this.#segmentedOwner(path);
    if (!owner) return undefined;
    const w = this.#view.workers.find((x) => x.index === owner.worker);
    return w ? this.#forward(req, w, client) : undefined;
  }

  #holderOf(q: URLSearchParams): number | undefined {
    return this.holder(`${q.get("app") ?? ""}/${q.get("name") ?? ""}`);
  }

  async #serve(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method === "POST" && path === "/view") {
      this.#apply(await req.json() as WorkerView);
      return new Response(null, { status: 204 });
    }
    if (path === "/self") return Response.json(this.#self());
    if (!this.#app) return new Response("HTTP is off on this worker", { status: 503 });
    const headers = new Headers(req.headers);
    headers.set(LOCAL_HEADER, "local");
    const [hostname, port] = (req.headers.get(CLIENT_HEADER) ?? "127.0.0.1:0").split(/:(?=\d+$)/);
    const remoteAddr: Deno.NetAddr = { transport: "tcp", hostname, port: Number(port) || 0 };
    return await this.#app(new Request(req, { headers }), { remoteAddr });
  }

  #apply(view: WorkerView): void {
    const before = this.#claims;
    this.#view = view;
    this.#claims = new Map(view.claims.map((c) => [c.key, c]));
    const fresh = view.claims.filter((c) =>
      c.worker !== this.index && before.get(c.key)?.worker !== c.worker
    );
    if (fresh.length) this.#onSiblingPublish(fresh.map((c) => c.key));
  }

  /** Told of keys a sibling has just started publishing (players waiting here may now pull them). */
  onSiblingPublish(fn: (keys: string[]) => void): void {
    this.#onSiblingPublish = fn;
  }

  async #post(path: string, body: Record<string, unknown>): Promise<WorkerView> {
    const r = await fetch(`${this.#supervisor}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (r.status === 409) throw new StreamBusyError(String(body.key));
    if (!r.ok) throw new Error(`worker control ${path} failed: ${r.status} ${await r.text()}`);
    return await r.json() as WorkerView;
  }

  /** The same request to every worker's private port (this one's too), as local requests. */
  async #ask(req: Request): Promise<{ worker: number; res: Response | undefined }[]> {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.set(LOCAL_HEADER, "local");
    return await Promise.all(this.#view.workers.map(async (w) => {
      try {
        const res = await fetch(`http://127.0.0.1:${w.controlPort}${url.pathname}${url.search}`, {
          headers,
          signal: AbortSignal.timeout(5000),
        });
        return { worker: w.index, res };
      } catch (err) {
        this.#log.warn("a worker did not answer", { worker: w.index, path: url.pathname, error: err });
        return { worker: w.index, res: undefined };
      }
    }));
  }

  async #gatherJson(req: Request, merge: (a: WorkerAnswer[]) => { status: number; body: unknown }) {
    const answers: WorkerAnswer[] = [];
    for (const { worker, res } of await this.#ask(req)) {
      if (!res) continue;
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch { /* not JSON: kept as text */ }
      answers.push({ worker, status: res.status, body });
    }
    const m = merge(answers);
    return Response.json(m.body, { status: m.status });
  }

  async #gatherMetrics(req: Request): Promise<Response> {
    const texts: { worker: number; text: string }[] = [];
    let status = 404;
    for (const { worker, res } of await this.#ask(req)) {
      if (!res) continue;
      const text = await res.text();
      if (res.status !== 200) continue;
      status = 200;
      texts.push({ worker, text });
    }
    if (status !== 200) return new Response("metrics are off", { status });
    return new Response(mergeMetricsText(texts), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  }

  async #workers(): Promise<Response> {
    const out = await Promise.all(this.#view.workers.map(async (w: WorkerEntry) => {
      try {
        const r = await fetch(`http://127.0.0.1:${w.controlPort}/self`, {
          signal: AbortSignal.timeout(5000),
        });
        return { ...await r.json() as WorkerSelf, relayPort: w.relayPort };
      } catch {
        return { index: w.index, pid: w.pid, relayPort: w.relayPort, players: null, publishing: [] };
      }
    }));
    return Response.json({ workers: out });
  }

  /** A stream's HLS/DASH request, answered by its publisher's worker (streamed through, not copied). */
  async #forward(req: Request, w: WorkerEntry, client: Deno.NetAddr | undefined): Promise<Response> {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.set(LOCAL_HEADER, "local");
    if (client) headers.set(CLIENT_HEADER, `${client.hostname}:${client.port}`);
    try {
      // An admin POST's body goes along (small JSON); its length is the runtime's to set again.
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      headers.delete("content-length");
      const res = await fetch(`http://127.0.0.1:${w.controlPort}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body,
        signal: req.signal,
      });
      return new Response(res.body, { status: res.status, headers: res.headers });
    } catch (err) {
      this.#log.warn("publisher's worker did not answer", {
        worker: w.index,
        path: url.pathname,
        error: err,
      });
      return Response.json({ code: 502, msg: `worker ${w.index} (publisher) did not answer` }, {
        status: 502,
      });
    }
  }
}
