/**
 * A plain TCP listener and an optional TLS one on another port, feeding accepted connections
 * (with TCP_NODELAY) to one handler. RTMP/RTMPS and RTSP/RTSPS share it.
 */
import type { Logger } from "../log/mod.ts";

export interface TcpListenersOptions {
  /** Protocol name for log lines, e.g. "rtmp" (the TLS one is logged as "rtmps"). */
  name: string;
  hostname: string;
  port: number;
  tls?: { cert: string; key: string; port: number; hostname?: string };
  log: Logger;
  /** Called for every accepted connection; `tls` tells which listener it came from. */
  onConn(conn: Deno.Conn, tls: boolean): void;
}

export class TcpListeners {
  #opts: TcpListenersOptions;
  #listeners: Deno.Listener[] = [];
  #loops: Promise<void>[] = [];
  #closed = false;
  /** Bound ports (valid after start; 0 when not listening). */
  port = 0;
  tlsPort = 0;

  constructor(opts: TcpListenersOptions) {
    this.#opts = opts;
  }

  start(): void {
    const o = this.#opts;
    const l = Deno.listen({ hostname: o.hostname, port: o.port, transport: "tcp" });
    this.#listeners.push(l);
    this.port = (l.addr as Deno.NetAddr).port;
    o.log.info(`${o.name} listening`, { hostname: o.hostname, port: this.port });
    this.#loops.push(this.#accept(l, false));
    if (o.tls) {
      const t = Deno.listenTls({
        hostname: o.tls.hostname ?? o.hostname,
        port: o.tls.port,
        cert: o.tls.cert,
        key: o.tls.key,
      });
      this.#listeners.push(t);
      this.tlsPort = (t.addr as Deno.NetAddr).port;
      o.log.info(`${o.name}s listening`, { hostname: o.hostname, port: this.tlsPort });
      this.#loops.push(this.#accept(t, true));
    }
  }

  async #accept(listener: Deno.Listener, tls: boolean) {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (this.#closed || err instanceof Deno.errors.BadResource) return;
        this.#opts.log.warn(`${this.#opts.name} accept failed`, { error: err as Error });
        continue;
      }
      try {
        (conn as Deno.TcpConn).setNoDelay?.(true);
      } catch { /* a TLS conn may not expose it */ }
      this.#opts.onConn(conn, tls);
    }
  }

  /** Stops accepting; the owner closes its own connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch { /* already closed */ }
    }
    await Promise.all(this.#loops);
  }
}
