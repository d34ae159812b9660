/**
 * Datagrams out of a node:dgram socket with synchronous system calls through Deno's FFI on a
 * duplicate of the socket's descriptor (Linux on x86_64/aarch64, with FFI permission). node:dgram's
 * `send` in Deno copies the bytes twice, makes a request object and two promises and runs an async
 * op per datagram; here the bytes go from the caller's buffer and nothing is allocated:
 *   - `UdpFd.sendTo`: one `sendto(2)`;
 *   - `udpBatch()`: datagrams for one destination gathered in one shared buffer and sent together by
 *     one `sendmmsg(2)` (a viewer's packets of a frame: one system call instead of one each; a
 *     system call costs more than the copy of a packet on this kind of machine). They leave when the
 *     next datagram is for another destination, when the buffer is full, when `flush()` is called,
 *     and at the latest in a microtask queued by the first one: before the event loop goes on.
 * Neither waits (MSG_DONTWAIT): a full send buffer drops the datagram, counted in `errors` with its
 * errno, as a lost packet on the way would be.
 *
 * The duplicate (the runtime's `fdForIpc`, an owned F_DUPFD_CLOEXEC copy) keeps the socket open
 * while it lives, so it is closed as soon as the node:dgram socket is seen closed, and by `close()`.
 * `openUdpFd` returns undefined where this cannot run (not Linux, no FFI permission, a runtime
 * without the handle, a C library without the calls): the caller sends the ordinary way.
 */

// sendto's ssize_t is read as its low 32 bits (a datagram is < 64 KiB; -1 stays -1): a number, no BigInt.
import { type LibcOpening, openLibc } from "../../net/libc.ts";

const symbols = {
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof symbols>;

const MSG_DONTWAIT = 0x40;
const AF_INET = 2;

let opening: LibcOpening<typeof symbols> | undefined;
let libc: Libc | undefined;

/** Why FFI sending cannot run in this process, or undefined when it can. */
export function udpFdUnavailable(): string | undefined {
  opening ??= openLibc(symbols);
  libc = opening.lib;
  return opening.why;
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
  readonly #state: SocketState;
  readonly #lib: Libc;

  constructor(fd: number, state: SocketState, lib: Libc) {
    this.#fd = fd;
    this.#state = state;
    this.#lib = lib;
  }

  get open(): boolean {
    return this.#fd >= 0;
  }

  /** The descriptor while both it and the node:dgram socket are open (else it closes it): -1. */
  usable(): number {
    if (this.#fd >= 0 && !this.#state.handle) this.close();
    return this.#fd;
  }

  /** Counts what one system call did: `n` datagrams sent, or a refusal (n < 0) with its errno. */
  count(n: number): void {
    if (n >= 0) {
      this.sent += n;
      return;
    }
    this.errors++;
    const p = this.#lib.symbols.__errno_location();
    this.lastErrno = p ? new Deno.UnsafePointerView(p).getInt32() : -1;
  }

  /**
   * Sends `buf[0, len)` to `to` (from sockaddrIn). False: the socket is closed (nothing was sent; the
   * duplicate is closed too). A datagram the kernel refuses counts as sent and in `errors`.
   */
  sendTo(buf: Uint8Array, len: number, to: Uint8Array): boolean {
    if (this.#fd < 0) return false;
    if (!this.#state.handle) {
      this.close();
      return false;
    }
    // A size_t argument takes a number at run time (no BigInt per call); the types say bigint.
    const n = this.#lib.symbols.sendto(this.#fd, buf, len as unknown as bigint, MSG_DONTWAIT, to, to.length);
    this.count(n < 0 ? n : 1);
    return true;
  }

  /** Closes the duplicate descriptor (idempotent); the node:dgram socket is left as it is. */
  close(): void {
    if (this.#fd < 0) return;
    // Datagrams of this descriptor still in the batch go first: after close the number is another's.
    batch?.flushIf(this);
    if (this.#fd < 0) return; // closed by the flush (the socket had closed)
    this.#lib.symbols.close(this.#fd);
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
  return new UdpFd(fd, st, libc!);
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
  if (!batch && !udpFdUnavailable()) batch = new UdpBatch(libc!);
  return batch;
}
