/**
 * A synchronous, non-blocking `send(2)` on a plain TCP connection's own descriptor, through Deno's FFI
 * (Linux on x86_64/aarch64, with FFI permission). A fan-out delivers the same chunk to every player
 * of a stream; as an async `conn.write` each delivery is an op, a promise and its reaction, which
 * is most of the CPU a small audience costs. When the socket's send buffer has room (nearly always
 * for a player keeping up) one system call puts the bytes there and nothing is allocated. What does
 * not fit (a slow player) goes the ordinary async way, and the caller sends nothing else until
 * that write is done, so the bytes stay in order.
 *
 * It sends on the runtime's own descriptor of the connection, and only while the connection is open:
 * `openTcpSend` wraps that connection object's `close` so that the sender stops first. A descriptor
 * number is reused as soon as it is closed, so a send after the close could reach another file; the
 * runtime closes these connections only through `close()` (nothing here uses their `readable` or
 * `writable` streams, whose end would close them too). No duplicate descriptor: a player costs one
 * descriptor, as before, and the limits that count them (net/fd_budget.ts) mean what they say.
 * Never for TLS: those bytes must go through the TLS stream.
 */
import { libcOnce } from "./libc.ts";

const symbols = {
  // ssize_t read as its low 32 bits: one chunk is far below 2 GiB; -1 stays -1 (no BigInt).
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof symbols>;

const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
const EINTR = 4;

/** Every TcpSend of the process: sends that took all the bytes, and those that took part or none. */
export const tcpSendCounts = { whole: 0, partial: 0 };

const libc = libcOnce(symbols);

/** Why sends through FFI cannot run in this process, or undefined when they can. */
export function tcpSendUnavailable(): string | undefined {
  return libc().why;
}

/** The runtime's descriptor of a Deno.TcpConn, or -1 when it has none we can read. */
function fdOf(conn: Deno.Conn): number {
  const sym = Object.getOwnPropertySymbols(conn).find((s) => s.description === "Deno.internal.fd");
  const fd = sym ? (conn as unknown as Record<symbol, unknown>)[sym] : undefined;
  return typeof fd === "number" && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}

export class TcpSend {
  /** Calls that sent everything, calls that sent part or nothing (the rest went the async way). */
  whole = 0;
  partial = 0;
  /** The last errno other than EAGAIN (the async write then reports the error). */
  lastErrno = 0;
  #fd: number;
  readonly #lib: Libc;

  constructor(fd: number, lib: Libc) {
    this.#fd = fd;
    this.#lib = lib;
  }

  /**
   * Puts as much of `bytes` as the send buffer takes; returns how many (0 when full or on an
   * error, which the async write of the rest then meets), or -1 after `close()`.
   */
  send(bytes: Uint8Array): number {
    if (this.#fd < 0) return -1;
    let n = -1;
    for (let tries = 0; tries < 3 && n < 0; tries++) {
      // A BigInt for the size_t keeps V8's fast call: with a plain number (which the runtime also
      // takes) every call goes the slow way, ~0.3 µs more per send (measured, send on a bad fd).
      n = this.#lib.symbols.send(this.#fd, bytes, BigInt(bytes.byteLength), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && this.#errno() !== EINTR) break;
    }
    if (n < 0) {
      const e = this.#errno();
      if (e !== EAGAIN) this.lastErrno = e;
      n = 0;
    }
    if (n === bytes.byteLength) {
      this.whole++;
      tcpSendCounts.whole++;
    } else {
      this.partial++;
      tcpSendCounts.partial++;
    }
    return n;
  }

  #errno(): number {
    const p = this.#lib.symbols.__errno_location();
    return p ? new Deno.UnsafePointerView(p).getInt32() : -1;
  }

  /** No more sends (idempotent); the connection's `close` calls it first. */
  close(): void {
    this.#fd = -1;
  }
}

/**
 * A sender on `conn`'s descriptor, or undefined where this cannot run (tcpSendUnavailable, a
 * runtime without the descriptor) and for TLS connections.
 */
export function openTcpSend(conn: Deno.Conn): TcpSend | undefined {
  // A TLS connection (it has a handshake) carries records, not our bytes.
  if (typeof (conn as Partial<Deno.TlsConn>).handshake === "function") return undefined;
  if (tcpSendUnavailable()) return undefined;
  const fd = fdOf(conn);
  if (fd < 0) return undefined;
  const sender = new TcpSend(fd, libc().lib!);
  // Every close of this connection, whoever calls it, stops the sender before the descriptor goes.
  const close = conn.close.bind(conn);
  conn.close = () => {
    sender.close();
    close();
  };
  return sender;
}
