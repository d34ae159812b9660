/**
 * Datagrams out of a UDP socket with synchronous system calls through Deno's FFI on the socket's
 * descriptor (Linux on x86_64/aarch64, with FFI permission). node:dgram's `send` in Deno copies the
 * bytes twice, makes a request object and two promises and runs an async op per datagram, and a
 * `Deno.DatagramConn`'s `send` is an async op and a promise per datagram; here the bytes go from the
 * caller's buffer and nothing is allocated:
 *   - `UdpFd.sendTo`: one `sendto(2)`;
 *   - `udpBatch()`: datagrams for one destination gathered in one shared buffer and sent together by
 *     one `sendmmsg(2)` (a viewer's packets of a frame: one system call instead of one each; a
 *     system call costs more than the copy of a packet on this kind of machine). They leave when the
 *     next datagram is for another destination, when the buffer is full, when `flush()` is called,
 *     and at the latest in a microtask queued by the first one: before the event loop goes on.
 * Neither waits (MSG_DONTWAIT): a full send buffer drops the datagram, counted in `errors` with its
 * errno, as a lost packet on the way would be.
 *
 * Two ways to the descriptor:
 *   - `openUdpFd(node:dgram socket)`: a duplicate (the runtime's `fdForIpc`, an owned
 *     F_DUPFD_CLOEXEC copy), which keeps the socket open while it lives, so it is closed as soon as
 *     the node:dgram socket is seen closed, and by `close()`;
 *   - `openDatagramFd(Deno.DatagramConn)`: the runtime's own descriptor, found by asking each of the
 *     process's descriptors for its type and address (getsockopt, getsockname: a UDP socket bound
 *     to the conn's address and port is that conn, as no other socket can hold them without
 *     SO_REUSEADDR/SO_REUSEPORT, which it was not given). Not owned: the conn's `close` is wrapped
 *     so that sending stops first, as a closed number is soon another file's (as in tcp_send.ts).
 * Both return undefined where this cannot run (not Linux, no FFI permission, a runtime without the
 * handle, a C library without the calls): the caller sends the ordinary way.
 */

// sendto's ssize_t is read as its low 32 bits (a datagram is < 64 KiB; -1 stays -1): a number, no BigInt.
import { libcOnce } from "./libc.ts";

const symbols = {
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  dup: { parameters: ["i32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof symbols>;

const MSG_DONTWAIT = 0x40;
const AF_INET = 2;
const SOL_SOCKET = 1;

/** Every UdpFd of the process: datagrams handed to the kernel, and those it refused. */
export const udpSendCounts = { sent: 0, refused: 0 };

const libc = libcOnce(symbols);

/** Why FFI sending cannot run in this process, or undefined when it can. */
export function udpFdUnavailable(): string | undefined {
  return libc().why;
}

/** A destination for `UdpFd.sendTo` (a `sockaddr_in`), or undefined for anything but an IPv4 address. */
export function sockaddrIn(host: string, port: number): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m || !Number.isInteger(port) || port < 1 || port > 0xffff) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  // Its own ArrayBuffer: off the V8 heap, so the pointer FFI passes is stable.
  const sa = new Uint8Array(new ArrayBuffer(16));
  new DataView(sa.buffer).setUint16(0, AF_INET, true);
  sa[2] = port >> 8;
  sa[3] = port & 0xff;
  sa.set(octets, 4);
  return sa;
}

interface SocketState {
  handle: { fdForIpc?: () => number } | null;
}

export class UdpFd {
  /** Datagrams handed to the kernel, and those it refused (the last refusal's errno). */
  sent = 0;
  errors = 0;
  lastErrno = 0;
  #fd: number;
  /** Whether the socket the descriptor belongs to is still open. */
  readonly #alive: () => boolean;
  /** A duplicate of our own, closed by `close()`; else the runtime's descriptor, left to it. */
  readonly #owned: boolean;
  readonly #lib: Libc;

  constructor(fd: number, lib: Libc, alive: () => boolean, owned: boolean) {
    this.#fd = fd;
    this.#lib = lib;
    this.#alive = alive;
    this.#owned = owned;
  }

  get open(): boolean {
    return this.#fd >= 0;
  }

  /** The descriptor while both it and the socket are open (else it closes it): -1. */
  usable(): number {
    if (this.#fd >= 0 && !this.#alive()) this.close();
    return this.#fd;
  }

  /** Counts what one system call did: `n` datagrams sent, or a refusal (n < 0) with its errno. */
  count(n: number): void {
    if (n >= 0) {
      this.sent += n;
      udpSendCounts.sent += n;
      return;
    }
    this.errors++;
    udpSendCounts.refused++;
    const p = this.#lib.symbols.__errno_location();
    this.lastErrno = p ? new Deno.UnsafePointerView(p).getInt32() : -1;
  }

  /**
   * Sends `buf[0, len)` to `to` (from sockaddrIn). False: the socket is closed (nothing was sent; the
   * duplicate is closed too). A datagram the kernel refuses counts as sent and in `errors`.
   */
  sendTo(buf: Uint8Array, len: number, to: Uint8Array): boolean {
    if (this.#fd < 0) return false;
    if (!this.#alive()) {
      this.close();
      return false;
    }
    // A BigInt for the size_t keeps V8's fast call (a plain number falls to the slow path: ~0.3 µs more).
    const n = this.#lib.symbols.sendto(this.#fd, buf, BigInt(len), MSG_DONTWAIT, to, to.length);
    this.count(n < 0 ? n : 1);
    return true;
  }

  /** No more sends (idempotent); closes a duplicate; the socket itself is left as it is. */
  close(): void {
    if (this.#fd < 0) return;
    // Datagrams of this descriptor still in the batch go first: after close the number is another's.
    batch?.flushIf(this);
    if (this.#fd < 0) return; // closed by the flush (the socket had closed)
    if (this.#owned) this.#lib.symbols.close(this.#fd);
    this.#fd = -1;
  }
}

/**
 * An FFI sender on a duplicate of a bound node:dgram socket's descriptor, or undefined when this
 * process cannot (udpFdUnavailable) or the socket is not of the runtime's known shape.
 */
export function openUdpFd(socket: unknown): UdpFd | undefined {
  if (typeof socket !== "object" || socket === null || udpFdUnavailable()) return undefined;
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === "kStateSymbol");
  const st = sym ? (socket as Record<symbol, unknown>)[sym] as SocketState | undefined : undefined;
  if (typeof st?.handle?.fdForIpc !== "function") return undefined;
  let fd: number;
  try {
    fd = st.handle.fdForIpc();
  } catch {
    return undefined;
  }
  if (!Number.isInteger(fd) || fd < 0) return undefined;
  const state = st;
  return new UdpFd(fd, libc().lib!, () => state.handle !== null, true);
}

const SO_TYPE = 3, SOCK_DGRAM = 2;

/**
 * The number the next descriptor of this process will most likely get (the lowest free one), or -1:
 * taken just before a bind, it lets `openDatagramFd` look there first instead of at every descriptor.
 */
export function nextFdHint(): number {
  if (udpFdUnavailable()) return -1;
  const fd = libc().lib!.symbols.dup(2);
  if (fd >= 0) libc().lib!.symbols.close(fd);
  return fd;
}

const sa = new Uint8Array(new ArrayBuffer(16));
const saLen = new Uint32Array(1);
const sockType = new Int32Array(1);
const typeLen = new Uint32Array(1);

/** Whether `fd` is a UDP socket bound to the sockaddr_in `want`. */
function isBoundTo(lib: Libc, fd: number, want: Uint8Array): boolean {
  typeLen[0] = 4;
  if (lib.symbols.getsockopt(fd, SOL_SOCKET, SO_TYPE, sockType, typeLen) !== 0) return false;
  if (sockType[0] !== SOCK_DGRAM) return false;
  saLen[0] = 16;
  if (lib.symbols.getsockname(fd, sa, saLen) !== 0 || saLen[0] !== 16) return false;
  // Family, port and address (sockaddr_in's first 8 bytes; the rest is padding).
  for (let i = 0; i < 8; i++) if (sa[i] !== want[i]) return false;
  return true;
}

/** The descriptor of this process's UDP socket bound to exactly `addr` (IPv4), or -1. */
function datagramFdOf(lib: Libc, addr: Deno.NetAddr, hint: number): number {
  const want = sockaddrIn(addr.hostname, addr.port);
  if (!want) return -1;
  if (hint >= 0 && isBoundTo(lib, hint, want)) return hint;
  let fds: number[];
  try {
    fds = [...Deno.readDirSync("/proc/self/fd")].map((e) => Number(e.name));
  } catch {
    return -1;
  }
  // Newest first: the conn was just bound, and new descriptors are mostly the highest.
  fds.sort((a, b) => b - a);
  for (const fd of fds) {
    if (Number.isInteger(fd) && fd >= 0 && isBoundTo(lib, fd, want)) return fd;
  }
  return -1;
}

/**
 * An FFI sender on a bound IPv4 `Deno.DatagramConn`'s own descriptor (see the top of this file), or
 * undefined when this process cannot or the descriptor is not found. `hint`: nextFdHint() taken
 * just before the conn was bound (else every descriptor is looked at). Every close of the conn
 * stops the sender first.
 */
export function openDatagramFd(conn: Deno.DatagramConn, hint = -1): UdpFd | undefined {
  if (udpFdUnavailable()) return undefined;
  const addr = conn.addr as Deno.NetAddr;
  if (addr.transport !== "udp") return undefined;
  const fd = datagramFdOf(libc().lib!, addr, hint);
  if (fd < 0) return undefined;
  let open = true;
  const sender = new UdpFd(fd, libc().lib!, () => open, false);
  const close = conn.close.bind(conn);
  conn.close = () => {
    open = false;
    sender.close();
    close();
  };
  return sender;
}

/**
 * Binds a UDP socket on `hostname:port` and, with `direct`, opens its FFI sender (undefined where
 * that cannot run): the next free descriptor number is taken just before the bind, so the socket's
 * descriptor is found at once.
 */
export function bindDatagram(
  hostname: string,
  port: number,
  direct = true,
): { conn: Deno.DatagramConn; fd: UdpFd | undefined } {
  const hint = direct ? nextFdHint() : -1;
  const conn = Deno.listenDatagram({ transport: "udp", hostname, port });
  return { conn, fd: direct ? openDatagramFd(conn, hint) : undefined };
}

/** Most datagrams one sendmmsg carries, and the shared buffer's size. */
export const BATCH_MAX = 64;
export const BATCH_BYTES = 128 * 1024;
/** struct mmsghdr (msghdr + msg_len, padded) and struct iovec on LP64. */
const MMSGHDR = 64, IOVEC = 16;

/** A pointer as a number (user-space addresses fit in 53 bits). */
const addressOf = (b: Uint8Array) => Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));

/** Writes a 64-bit little-endian pointer or size at `at` (in 32-bit words). */
function put64(a: Uint32Array, at: number, v: number) {
  a[at] = v >>> 0;
  a[at + 1] = Math.floor(v / 0x100000000);
}

/** See the top of this file: one destination's datagrams, one sendmmsg. */
export class UdpBatch {
  /** Where datagrams are written (`reserve` says where), off the V8 heap: its address is stable. */
  readonly buf = new Uint8Array(new ArrayBuffer(BATCH_BYTES));
  /** Flushes, and the datagrams they carried (for tests and benches). */
  flushes = 0;
  datagrams = 0;
  /** Flushes that threw (none expected: the calls return errors, they do not throw). */
  failures = 0;
  lastFailure = "";
  readonly #lib: Libc;
  readonly #base: number;
  readonly #msgs = new Uint8Array(new ArrayBuffer(BATCH_MAX * MMSGHDR));
  readonly #m32 = new Uint32Array(this.#msgs.buffer);
  readonly #iov32 = new Uint32Array(new ArrayBuffer(BATCH_MAX * IOVEC));
  #fd: UdpFd | undefined;
  #to: Uint8Array | undefined;
  #toAt = 0;
  #count = 0;
  #used = 0;
  #queued = false;
  readonly #flushLater = () => {
    this.#queued = false;
    try {
      this.flush();
    } catch (err) {
      // Never an uncaught error from a microtask (it would end the process): counted as a refusal.
      this.failures++;
      this.lastFailure = String(err);
    }
  };

  constructor(lib: Libc) {
    this.#lib = lib;
    this.#base = addressOf(this.buf);
    const iovBase = Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#iov32)));
    for (let i = 0; i < BATCH_MAX; i++) {
      const m = i * (MMSGHDR / 4);
      this.#m32[m + 2] = 16; // msg_namelen: a sockaddr_in
      put64(this.#m32, m + 4, iovBase + i * IOVEC); // msg_iov
      put64(this.#m32, m + 6, 1); // msg_iovlen
    }
  }

  /**
   * The offset in `buf` where a datagram of at most `size` bytes to `to` through `fd` is written
   * next (what is pending for another destination goes first), or -1: `fd` is closed (nothing
   * pending of it), or the datagram is larger than the buffer.
   */
  reserve(fd: UdpFd, to: Uint8Array, size: number): number {
    if (size > BATCH_BYTES) return -1;
    if (
      this.#count > 0 &&
      (this.#fd !== fd || this.#to !== to || this.#count === BATCH_MAX || this.#used + size > BATCH_BYTES)
    ) this.flush();
    if (fd.usable() < 0) return -1;
    if (this.#count === 0) {
      if (this.#to !== to) this.#toAt = addressOf(to);
      this.#fd = fd;
      this.#to = to;
      if (!this.#queued) {
        this.#queued = true;
        queueMicrotask(this.#flushLater);
      }
    }
    return this.#used;
  }

  /** The datagram written at the reserved offset is `len` bytes long. */
  commit(len: number): void {
    const i = this.#count++;
    put64(this.#m32, i * (MMSGHDR / 4), this.#toAt); // msg_name
    put64(this.#iov32, i * 4, this.#base + this.#used);
    put64(this.#iov32, i * 4 + 2, len);
    this.#used += len;
  }

  /** Sends what is pending (if it is `fd`'s). */
  flushIf(fd: UdpFd): void {
    if (this.#fd === fd) this.flush();
  }

  /** Sends what is pending. */
  flush(): void {
    const count = this.#count, fd = this.#fd;
    this.#count = this.#used = 0;
    if (count === 0 || !fd) return;
    const raw = fd.usable();
    if (raw < 0) return;
    this.flushes++;
    this.datagrams += count;
    for (let i = 0; i < count;) {
      const msgs = i === 0 ? this.#msgs : this.#msgs.subarray(i * MMSGHDR);
      const n = this.#lib.symbols.sendmmsg(raw, msgs, count - i, MSG_DONTWAIT);
      fd.count(n);
      // A refused datagram is dropped (counted); the ones after it are tried again.
      i += n > 0 ? n : 1;
    }
  }
}

let batch: UdpBatch | undefined;

/** The process's batch (where FFI sending runs; see udpFdUnavailable). */
export function udpBatch(): UdpBatch | undefined {
  if (!batch && !udpFdUnavailable()) batch = new UdpBatch(libc().lib!);
  return batch;
}
