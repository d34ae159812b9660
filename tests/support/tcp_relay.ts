/**
 * A TCP relay in front of a server that a test can freeze: it then stops reading from its clients while
 * keeping their connections open (a hung peer, or a path that drops packets without a reset).
 */
export interface TcpRelay {
  readonly port: number;
  /** Stops (true) or resumes (false) reading from the clients. */
  freeze(on: boolean): void;
  close(): void;
}

export function startTcpRelay(to: { port: number }): TcpRelay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let frozen = false;
  let thaw: (() => void) | undefined;
  let thawed = Promise.resolve();
  const pipe = async (from: Deno.Conn, into: Deno.Conn, gated: boolean) => {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        if (gated && frozen) await thawed;
        const n = await from.read(buf);
        if (n === null) break;
        let o = 0;
        while (o < n) o += await into.write(buf.subarray(o, n));
      }
    } catch { /* either side closed */ }
    for (const c of [from, into]) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  };
  (async () => {
    for await (const c of listener) {
      try {
        const up = await Deno.connect({ hostname: "127.0.0.1", port: to.port });
        conns.add(c).add(up);
        pipe(c, up, true);
        pipe(up, c, false);
      } catch {
        c.close();
      }
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    freeze(on) {
      frozen = on;
      if (on) thawed = new Promise((r) => thaw = r);
      else thaw?.();
    },
    close() {
      thaw?.();
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}
