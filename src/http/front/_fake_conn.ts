/** A Deno.Conn stand-in for unit tests: reads come from given pieces, writes are collected. */
export function fakeConn(pieces: Uint8Array[]): Deno.Conn & { written: Uint8Array[] } {
  const queue = [...pieces];
  const written: Uint8Array[] = [];
  const conn = {
    written,
    read(buf: Uint8Array): Promise<number | null> {
      const p = queue.shift();
      if (!p) return Promise.resolve(null);
      const n = Math.min(p.length, buf.length);
      buf.set(p.subarray(0, n));
      if (n < p.length) queue.unshift(p.subarray(n));
      return Promise.resolve(n);
    },
    write(b: Uint8Array): Promise<number> {
      written.push(b.slice());
      return Promise.resolve(b.length);
    },
    close() {},
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  };
  return conn as unknown as Deno.Conn & { written: Uint8Array[] };
}
