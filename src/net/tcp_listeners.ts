/**
 * A plain TCP listener and an optional TLS one on another port, feeding accepted connections
 * (with TCP_NODELAY) to one handler. RTMP/RTMPS and RTSP/RTSPS share it. `rebind` moves the
 * listening sockets on a reload; accepted connections are the owner's and are never touched here.
 */
import type { Logger } from "../log/mod.ts";
import { AcceptGuard, type ConnLimits } from "./accept_guard.ts";
import { type FdBudget, processFdBudget } from "./fd_budget.ts";
import { listenTcp, listenTls } from "./shared_ports.ts";

export interface TcpTls {
  cert: string;
  key: string;
  port: number;
  hostname?: string;
}

/** Where to listen: what a reload may change. */
export interface TcpBind {
  hostname: string;
  port: number;
  tls?: TcpTls;
}

/**
 * A protocol server on a plain listener and, with TLS material, a TLS one (RTMP and RTMPS, RTSP and
 * RTSPS): its life cycle, reload, bound ports and counters.
 */
export interface ListeningServer<Reloadable, Stats> {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Applies new options: what running sessions read when they use it reaches them; the listeners
   * move only if their address, port or TLS changed, and connections accepted before keep running.
   */
  update(o: Reloadable): Promise<void>;
  /** The bound plain port (useful with port 0). */
  readonly port: number;
  /** The bound TLS port, or 0 without TLS. */
  readonly tlsPort: number;
  stats(): Stats;
}

export interface TcpListenersOptions extends TcpBind {
  /** Protocol name for log lines, e.g. "rtmp" (the TLS one is logged as "rtmps"). */
  name: string;
  log: Logger;
  /**
   * Called for every accepted connection within the limits; `tls` tells which listener it came
   * from. The connection counts against the limits until the returned promise settles.
   */
  onConn(conn: Deno.Conn, tls: boolean): Promise<unknown>;
  /** Connection limits (both listeners together); defaults in accept_guard.ts. */
  limits?: Partial<ConnLimits>;
  /** The descriptor budget (tests); the process's by default. */
  fdBudget?: FdBudget;
}

/** One listening socket, what it was opened with, and how to open it again. */
interface Bound {
  listener: Deno.Listener;
  spec: string;
  port: number;
  tls: boolean;
  reopen(): Bound;
  /** Its accept loop; ends once the socket is closed (and its port free again). */
  loop?: Promise<void>;
}

export class TcpListeners {
  #opts: TcpListenersOptions;
  #plain: Bound | undefined;
  #tls: Bound | undefined;
  #loops = new Set<Promise<void>>();
  #closed = false;
  #guard: AcceptGuard;

  constructor(opts: TcpListenersOptions) {
    this.#opts = opts;
    this.#guard = new AcceptGuard({
      name: opts.name,
      log: opts.log,
      limits: opts.limits,
      budget: opts.fdBudget,
    });
  }

  /** Open connections, refusals and accept errors since start. */
  get guard(): AcceptGuard {
    return this.#guard;
  }

  /** A reload: new limits apply to the next accept. */
  setLimits(l: Partial<ConnLimits>): void {
    this.#guard.setLimits(l);
  }

  /** The bound plain port (valid after start; 0 when not listening). */
  get port(): number {
    // 0 once closed: the status (and readiness) must not show a port that no longer accepts.
    return this.#closed ? 0 : this.#plain?.port ?? 0;
  }

  /** The bound TLS port, or 0 without TLS. */
  get tlsPort(): number {
    return this.#closed ? 0 : this.#tls?.port ?? 0;
  }

  start(): void {
    const o = this.#opts;
    (o.fdBudget ?? processFdBudget()).announce(o.log);
    const plain = this.#openPlain(o);
    try {
      this.#tls = o.tls ? this.#openTls(o, o.tls) : undefined;
    } catch (err) {
      plain.listener.close();
      throw err;
    }
    this.#plain = plain;
    this.#run(plain);
    if (this.#tls) this.#run(this.#tls);
  }

  /**
   * Moves whichever listener's address, port or TLS material changed. The new sockets are opened
   * first, so a failure leaves the old ones listening and throws; only then are the old listening
   * sockets closed. Connections already accepted keep running.
   */
  async rebind(next: TcpBind): Promise<void> {
    type Move = { tls: boolean; old: Bound | undefined; port: number; open: (() => Bound) | undefined };
    const moves: Move[] = [];
    if (this.#plain?.spec !== plainSpec(next)) {
      moves.push({ tls: false, old: this.#plain, port: next.port, open: () => this.#openPlain(next) });
    }
    const t = next.tls;
    if (this.#tls?.spec !== (t ? tlsSpec(next, t) : undefined)) {
      moves.push({
        tls: true,
        old: this.#tls,
        port: t?.port ?? 0,
        open: t && (() => this.#openTls(next, t)),
      });
    }
    if (moves.length === 0) return;
    const opened: Bound[] = [];
    const closedEarly: Bound[] = [];
    try {
      for (const m of moves) if (m.open) opened.push(await this.#openBeside(m, m.open, closedEarly));
    } catch (err) {
      for (const b of opened) b.listener.close();
      // What had to close first for its port comes back as it was.
      for (const old of closedEarly) {
        const back = old.reopen();
        if (back.tls) this.#tls = back;
        else this.#plain = back;
        this.#run(back);
      }
      throw new Error(`${this.#opts.name} listener cannot move: ${(err as Error).message}`, { cause: err });
    }
    Object.assign(this.#opts, { hostname: next.hostname, port: next.port, tls: next.tls });
    for (const m of moves) {
      const b = m.open ? opened.shift() : undefined;
      if (m.tls) this.#tls = b;
      else this.#plain = b;
      try {
        m.old?.listener.close();
      } catch { /* closed early for its port */ }
      if (b) this.#run(b);
      const name = m.tls ? `${this.#opts.name}s` : this.#opts.name;
      this.#opts.log.info(`${name} listener moved`, { from: m.old?.port ?? 0, to: b?.port ?? 0 });
    }
    // The old sockets are really closed (their port refuses) only once their pending accept ends.
    await Promise.all(moves.map((m) => m.old?.loop));
  }

  /**
   * Opens the replacement of `old` while it still listens. The same port on an overlapping address
   * cannot be bound twice (e.g. 0.0.0.0 → 127.0.0.1 on 1935): then `old` closes first.
   */
  async #openBeside(m: { old: Bound | undefined; port: number }, open: () => Bound, closedEarly: Bound[]) {
    try {
      return open();
    } catch (err) {
      const old = m.old;
      if (!(err instanceof Deno.errors.AddrInUse) || !old || old.port !== m.port) throw err;
      old.listener.close();
      closedEarly.push(old);
      await old.loop; // the port is free once the pending accept has let go of the socket
      return open();
    }
  }

  #openPlain(b: TcpBind): Bound {
    const { hostname, port: want } = b;
    const listener = listenTcp({ hostname, port: want });
    const port = (listener.addr as Deno.NetAddr).port;
    this.#opts.log.info(`${this.#opts.name} listening`, { hostname, port });
    // Reopened as it was bound (the chosen port, when it was 0), should a move have to be undone.
    const spec = plainSpec(b);
    return {
      listener,
      spec,
      port,
      tls: false,
      reopen: () => ({ ...this.#openPlain({ hostname, port }), spec }),
    };
  }

  #openTls(b: TcpBind, t: TcpTls): Bound {
    const hostname = t.hostname ?? b.hostname;
    const listener = listenTls({ hostname, port: t.port, cert: t.cert, key: t.key });
    const port = (listener.addr as Deno.NetAddr).port;
    this.#opts.log.info(`${this.#opts.name}s listening`, { hostname, port });
    const spec = tlsSpec(b, t);
    const reopen = () => ({ ...this.#openTls({ hostname, port: 0 }, { ...t, hostname, port }), spec });
    return { listener, spec, port, tls: true, reopen };
  }

  #run(b: Bound) {
    const loop = this.#accept(b.listener, b.tls);
    b.loop = loop;
    this.#loops.add(loop);
    loop.finally(() => this.#loops.delete(loop));
  }

  async #accept(listener: Deno.Listener, tls: boolean) {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        // BadResource: this socket was closed (server stop, or moved by a reload).
        if (this.#closed || err instanceof Deno.errors.BadResource) return;
        // Out of descriptors and the like: back off instead of spinning on the same error.
        await this.#guard.failed(err);
        continue;
      }
      const release = this.#guard.admit(conn);
      if (!release) continue;
      try {
        (conn as Deno.TcpConn).setNoDelay?.(true);
      } catch { /* a TLS conn may not expose it */ }
      try {
        this.#opts.onConn(conn, tls).finally(release);
      } catch (err) {
        // The handler's own failure ends this connection only.
        release();
        this.#opts.log.error(`${this.#opts.name} connection failed to start`, { error: err as Error });
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    }
  }

  /** Stops accepting; the owner closes its own connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const b of [this.#plain, this.#tls]) {
      try {
        b?.listener.close();
      } catch { /* already closed */ }
    }
    await Promise.all(this.#loops);
  }
}

function plainSpec(b: TcpBind): string {
  return JSON.stringify([b.hostname, b.port]);
}

function tlsSpec(b: TcpBind, t: TcpTls): string {
  return JSON.stringify([t.hostname ?? b.hostname, t.port, t.cert, t.key]);
}
