/**
 * A UDP socket's kernel buffers (SO_RCVBUF, SO_SNDBUF) set through FFI on its descriptor: Deno's
 * listenDatagram takes no buffer size, and node:dgram's setRecvBufferSize in Deno 2.9 sizes the
 * buffer it allocates per datagram, not the socket's.
 */
import { libcOnce } from "./libc.ts";
import type { UdpFd } from "./udp_fd.ts";

const libc = libcOnce(
  {
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  } as const,
);

const SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8;

/**
 * Asks the kernel for these buffer sizes in bytes (0: leave that one as it is) and answers what it
 * gave, as getsockopt reads them (Linux doubles the value asked for, its bookkeeping share, and caps
 * it at net.core.rmem_max / wmem_max without privileges). Undefined once the socket is closed.
 */
export function setSocketBuffers(
  fd: UdpFd,
  recv: number,
  send: number,
): { recv: number; send: number } | undefined {
  const n = fd.usable(), lib = libc().lib;
  if (n < 0 || !lib) return undefined;
  const v = new Int32Array(1), len = new Uint32Array(1);
  const bytes = new Uint8Array(v.buffer), lenBytes = new Uint8Array(len.buffer);
  const set = (opt: number, size: number) => {
    if (size <= 0) return;
    v[0] = Math.min(size, 0x3fffffff);
    lib.symbols.setsockopt(n, SOL_SOCKET, opt, bytes, 4);
  };
  const get = (opt: number) => {
    len[0] = 4;
    return lib.symbols.getsockopt(n, SOL_SOCKET, opt, bytes, lenBytes) === 0 ? v[0] : -1;
  };
  set(SO_RCVBUF, recv);
  set(SO_SNDBUF, send);
  return { recv: get(SO_RCVBUF), send: get(SO_SNDBUF) };
}
