/**
 * One datagram out of a bound node:dgram socket through the socket's own UDP handle, the step that
 * `socket.send` ends in: it skips the argument checks, the address lookup (a deferred callback even
 * for an IP address, during which the caller's buffer must stay untouched) and the per-send request
 * object. Deno's handle copies the bytes before `send` returns, so a caller may reuse its buffer at
 * once. A send that fails later is counted (`errors`), as the runtime reports it to the callback.
 *
 * This reaches into the runtime's node:dgram internals (the socket's state symbol and its handle's
 * `send(req, buffers, count, port, address, hasCallback)`); `udpHandle` returns undefined when they
 * are not there, and `send` returns false when the socket is not bound or is closed: the caller then
 * uses the socket's own `send`.
 */

/** The handle behind a node:dgram socket (Deno's and Node's `UDP` binding). */
interface UdpBinding {
  send(
    req: SendRequest,
    bufs: Uint8Array[],
    count: number,
    port: number,
    address: string,
    cb: boolean,
  ): number;
  send6(
    req: SendRequest,
    bufs: Uint8Array[],
    count: number,
    port: number,
    address: string,
    cb: boolean,
  ): number;
}

interface SendRequest {
  oncomplete(err: number | null, sent?: number): void;
}

interface SocketState {
  handle: UdpBinding | null;
  bindState: number;
  connectState: number;
}

/** node's dgram BIND_STATE_BOUND and CONNECT_STATE_DISCONNECTED. */
const BOUND = 2;
const DISCONNECTED = 0;

export class UdpHandleSend {
  /** Sends that the runtime reported as failed (after `send` returned true). */
  errors = 0;
  readonly #state: SocketState;
  readonly #six: boolean;
  readonly #req: SendRequest = { oncomplete: (err) => void (err && this.errors++) };
  readonly #one: Uint8Array[] = [new Uint8Array(0)];

  constructor(state: SocketState, six: boolean) {
    this.#state = state;
    this.#six = six;
  }

  /**
   * Sends `buf` to host:port (host an IP address). False: nothing was sent (the socket is closed,
   * not bound or connected, or the handle refused), use the socket's own send.
   */
  send(buf: Uint8Array, port: number, host: string): boolean {
    const st = this.#state, h = st.handle;
    if (!h || st.bindState !== BOUND || st.connectState !== DISCONNECTED) return false;
    const one = this.#one;
    one[0] = buf;
    const rc = this.#six
      ? h.send6(this.#req, one, 1, port, host, true)
      : h.send(this.#req, one, 1, port, host, true);
    one[0] = EMPTY;
    if (rc !== 0) {
      this.errors++;
      return false;
    }
    return true;
  }
}

const EMPTY = new Uint8Array(0);

/** The handle sender of a node:dgram socket, or undefined when the socket is not of the known shape. */
export function udpHandle(socket: unknown): UdpHandleSend | undefined {
  if (typeof socket !== "object" || socket === null) return undefined;
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === "kStateSymbol");
  if (!sym) return undefined;
  const st = (socket as Record<symbol, unknown>)[sym] as Partial<SocketState> | undefined;
  const h = st?.handle;
  if (
    !h || typeof h.send !== "function" || typeof h.send6 !== "function" ||
    typeof st.bindState !== "number" || typeof st.connectState !== "number"
  ) return undefined;
  const type = (socket as { type?: unknown }).type;
  if (type !== "udp4" && type !== "udp6") return undefined;
  return new UdpHandleSend(st as SocketState, type === "udp6");
}
