/**
 * The HTTP front's listening sockets and their accept loop. Every accepted connection is counted
 * against the limits (in total, per client address, and the process's descriptor reserve) before
 * any byte is read; one over a limit is closed at once. An accept error (EMFILE/ENFILE, or any
 * other) backs off up to a second and is logged at most once a second: the loop neither spins nor
 * dies.
 */
import type { Logger } from "../../log/mod.ts";
import { AcceptGuard, type FdBudget, listenTcp, listenTls } from "../../net/mod.ts";
import type { FrontLimits } from "./connection.ts";

/**
 * The open connections of one server, shared by all its listeners (old ones after a rebind too).
 * Admission is the AcceptGuard every listener of the process uses: limits in total and per client
 * address, the descriptor reserve under the soft limit, back-off after a failed accept.
 */
export class ConnTable {
  readonly #conns = new Map<Deno.Conn, () => void>();
  readonly guard: AcceptGuard;

  constructor(log: Logger, budget?: FdBudget) {
    this.guard = new AcceptGuard({ name: "http", log, budget });
  }

  get size(): number {
    return this.#conns.size;
  }

  /** Admits `conn` within the limits (read live: a reload edits them); false when it was closed. */
  admit(conn: Deno.Conn, limits: FrontLimits): boolean {
    this.guard.setLimits({
      maxConns: limits.maxConns,
      maxConnsPerIp: limits.maxConnsPerIp,
      fdReserve: limits.fdReserve,
    });
    const release = this.guard.admit(conn);
    if (!release) return false;
    this.#conns.set(conn, release);
    return true;
  }

  release(conn: Deno.Conn): void {
    this.#conns.get(conn)?.();
    this.#conns.delete(conn);
  }

  closeAll(): void {
    for (const c of this.#conns.keys()) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
  }
}

export interface ListenSpec {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string };
}

export interface AcceptOptions {
  log: Logger;
  limits: FrontLimits;
  table: ConnTable;
  onConn: (conn: Deno.Conn, tls: boolean) => Promise<void>;
}

/** One listening socket running its accept loop until closed. */
export class FrontListener {
  readonly port: number;
  readonly tls: boolean;
  readonly #listener: Deno.Listener;
  readonly #o: AcceptOptions;
  #closed = false;
  readonly loop: Promise<void>;

  constructor(spec: ListenSpec, o: AcceptOptions) {
    this.#listener = spec.tls
      ? listenTls({ hostname: spec.hostname, port: spec.port, cert: spec.tls.cert, key: spec.tls.key })
      : listenTcp({ hostname: spec.hostname, port: spec.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.tls = !!spec.tls;
    this.#o = o;
    o.log.info("listening", { proto: this.tls ? "https" : "http", addr: `${spec.hostname}:${this.port}` });
    this.loop = this.#accept();
  }

  async #accept(): Promise<void> {
    const table = this.#o.table;
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (err) {
        if (this.#closed || err instanceof Deno.errors.BadResource) return;
        await table.guard.failed(err);
        continue;
      }
      if (!table.admit(conn, this.#o.limits)) continue;
      try {
        (conn as Deno.TcpConn).setNoDelay?.(true);
      } catch { /* a TLS conn may not expose it */ }
      this.#o.onConn(conn, this.tls).catch(() => {}).finally(() => table.release(conn));
    }
  }

  /** Stops accepting; accepted connections go on (the owner ends them). */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await this.loop;
  }
}
