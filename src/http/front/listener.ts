/**
 * The HTTP front's listening sockets and their accept loop. Every accepted connection is counted
 * against the limits (in total and per client address) before any byte is read; one over a limit
 * is closed at once. An accept error (EMFILE/ENFILE when out of descriptors, or any other) backs
 * off up to a second and is logged at most once a second: the loop neither spins nor dies.
 */
import type { Logger } from "../../log/mod.ts";
import type { FrontLimits } from "./connection.ts";

/** The open connections of one server, shared by all its listeners (old ones after a rebind too). */
export class ConnTable {
  readonly #conns = new Set<Deno.Conn>();
  readonly #perIp = new Map<string, number>();
  refused = 0;
  accepted = 0;

  get size(): number {
    return this.#conns.size;
  }

  /** Admits `conn` within the limits; false when it must be closed. */
  admit(conn: Deno.Conn, limits: FrontLimits): boolean {
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
    const n = this.#perIp.get(ip) ?? 0;
    if (this.#conns.size >= limits.maxConns || n >= limits.maxConnsPerIp) {
      this.refused++;
      return false;
    }
    this.accepted++;
    this.#conns.add(conn);
    this.#perIp.set(ip, n + 1);
    return true;
  }

  release(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }

  closeAll(): void {
    for (const c of this.#conns) {
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

const MAX_BACKOFF_MS = 1000;

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
      ? Deno.listenTls({ hostname: spec.hostname, port: spec.port, cert: spec.tls.cert, key: spec.tls.key })
      : Deno.listen({ hostname: spec.hostname, port: spec.port, transport: "tcp" });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.tls = !!spec.tls;
    this.#o = o;
    o.log.info("listening", { proto: this.tls ? "https" : "http", addr: `${spec.hostname}:${this.port}` });
    this.loop = this.#accept();
  }

  async #accept(): Promise<void> {
    let backoff = 0;
    let lastLog = 0;
    let failures = 0;
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (err) {
        if (this.#closed || err instanceof Deno.errors.BadResource) return;
        failures++;
        const now = Date.now();
        if (now - lastLog >= 1000) {
          this.#o.log.warn("accept failed; backing off", {
            error: err as Error,
            failures,
            open: this.#o.table.size,
          });
          lastLog = now;
          failures = 0;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : 50);
        await new Promise((r) => setTimeout(r, backoff));
        continue;
      }
      backoff = 0;
      if (!this.#o.table.admit(conn, this.#o.limits)) {
        try {
          conn.close();
        } catch { /* already closed */ }
        continue;
      }
      try {
        (conn as Deno.TcpConn).setNoDelay?.(true);
      } catch { /* a TLS conn may not expose it */ }
      this.#o.onConn(conn, this.tls).catch(() => {}).finally(() => this.#o.table.release(conn));
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
