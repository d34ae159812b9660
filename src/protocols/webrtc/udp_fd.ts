/**
 * Datagrams out of a node:dgram socket with one synchronous `sendto(2)` each, through Deno's FFI on
 * a duplicate of the socket's descriptor (Linux, with FFI permission). node:dgram's `send` in Deno
 * copies the bytes twice, makes a request object and two promises and runs an async op per
 * datagram; this writes the caller's bytes straight from its buffer (which it may reuse at once)
 * and allocates nothing. `sendto` does not wait (MSG_DONTWAIT): a full send buffer drops the
 * datagram, counted in `errors` with its errno, as a lost packet on the way would be.
 *
 * The duplicate (the runtime's `fdForIpc`, an owned F_DUPFD_CLOEXEC copy) keeps the socket open
 * while it lives, so it is closed as soon as the node:dgram socket is seen closed, and by `close()`.
 * `openUdpFd` returns undefined where this cannot run (not Linux, no FFI permission, a runtime
 * without the handle, a C library without the calls): the caller sends the ordinary way.
 */

// sendto's ssize_t is read as its low 32 bits (a datagram is < 64 KiB; -1 stays -1): a number, no BigInt.
const symbols = {
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof symbols>;

const MSG_DONTWAIT = 0x40;
const AF_INET = 2;

let libc: Libc | null | undefined;
let libcWhy = "";

/** Why FFI sending cannot run in this process, or undefined when it can. */
export function udpFdUnavailable(): string | undefined {
  if (libc) return undefined;
  if (libc === null) return libcWhy;
  libc = null;
  if (Deno.build.os !== "linux") return libcWhy = `${Deno.build.os} is not Linux`;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return libcWhy = "no --allow-ffi";
  try {
    libc = Deno.dlopen("libc.so.6", symbols);
  } catch (err) {
    return libcWhy = `libc.so.6: ${(err as Error).message}`;
  }
  return undefined;
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
    if (n < 0) {
      this.errors++;
      const p = this.#lib.symbols.__errno_location();
      this.lastErrno = p ? new Deno.UnsafePointerView(p).getInt32() : -1;
    } else this.sent++;
    return true;
  }

  /** Closes the duplicate descriptor (idempotent); the node:dgram socket is left as it is. */
  close(): void {
    if (this.#fd < 0) return;
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
