/**
 * A server WebSocket on a connection the front handed over after `101 Switching Protocols`. Sends
 * are binary messages whose promise settles once the bytes are on the socket (the back-pressure a
 * fan-out sink needs); the read side answers pings, reassembles fragments within a size limit and
 * completes the close handshake (RFC 6455 §5.4, §5.5, §7).
 */
import { type ConnReader, writeAll } from "./conn_reader.ts";
import { HttpFrontError } from "./errors.ts";
import { closePayload, frameHeader, OP, readFrame } from "./websocket.ts";

export type WsState = "open" | "closing" | "closed";

export interface WsOptions {
  /** Largest message (all fragments) accepted from the client. */
  maxMessage: number;
  /** How long to wait for the client's close frame after ours. */
  closeWaitMs?: number;
  /**
   * Longest silence from the client: a ping goes out after half of it, and the socket is closed
   * (1001) when that ping is unanswered for the other half. A WS-FLV viewer only ever sends pongs, so this is
   * how a vanished one is told from a quiet one. 0 or absent = never.
   */
  idleMs?: number;
}

export class FrontWebSocket {
  #conn: Deno.Conn;
  #r: ConnReader;
  #opts: WsOptions;
  #state: WsState = "open";
  /** Writes queue behind the `101 Switching Protocols` answer (see accept). */
  #writing: Promise<void>;
  #open!: () => void;
  #closed: Promise<string>;
  #resolveClosed!: (reason: string) => void;
  #closeSent = false;
  /** When the client last sent a frame (any frame, pongs included). */
  #heardAt = performance.now();
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  #pingedAt: number | undefined;
  /** Why the server closed, for the reason `closed` resolves with when the client never answers. */
  #closeReason: string | undefined;
  /** Called with each complete message from the client. */
  onmessage?: (data: Uint8Array, text: boolean) => void;

  constructor(conn: Deno.Conn, r: ConnReader, opts: WsOptions) {
    this.#conn = conn;
    this.#r = r;
    this.#opts = opts;
    this.#closed = new Promise((res) => this.#resolveClosed = res);
    this.#writing = new Promise((res) => this.#open = res);
  }

  /** The front wrote the 101 answer: queued sends go out now. */
  accept(): void {
    this.#open();
    const idle = this.#opts.idleMs ?? 0;
    if (idle > 0) {
      this.#heardAt = performance.now();
      this.#idleTimer = setInterval(() => this.#checkIdle(idle), idle / 2);
    }
  }

  /** Pings after half the idle time of silence; closes when that ping is unanswered for the other half. */
  #checkIdle(idle: number): void {
    const now = performance.now();
    const pinged = this.#pingedAt;
    if (pinged !== undefined && this.#heardAt < pinged) {
      if (now - pinged < idle / 2 - 1) return;
      // A vanished client never answers the close either: the wait after it ends the connection.
      this.#closeReason = `idle timeout: no frame from the client for ${Math.round(now - this.#heardAt)} ms`;
      this.close(1001, "idle timeout");
    } else if (now - this.#heardAt >= idle / 2 - 1 && this.#state === "open") {
      this.#pingedAt = now;
      this.#write(OP.ping, new Uint8Array(0)).catch(() => {});
    }
  }

  /** The upgrade did not happen (the app answered otherwise): queued sends fail. */
  abort(reason: string): void {
    this.#end(reason, false);
    this.#open();
  }

  get readyState(): WsState {
    return this.#state;
  }

  /** Resolves with the reason once the connection is gone. */
  get closed(): Promise<string> {
    return this.#closed;
  }

  /** Sends one binary message; rejects once the socket is closing or gone. */
  send(data: Uint8Array): Promise<void> {
    if (this.#state !== "open") return Promise.reject(new Error("websocket closed"));
    return this.#write(OP.binary, data);
  }

  /** Starts the close handshake; the connection ends when the client answers (or after a wait). */
  close(code = 1000, reason = ""): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#sendClose(code, reason);
    const t = setTimeout(
      () => this.#end(this.#closeReason ?? "close timed out"),
      this.#opts.closeWaitMs ?? 2000,
    );
    this.#closed.finally(() => clearTimeout(t));
  }

  /** The read loop; runs until the connection ends. */
  async run(): Promise<void> {
    let parts: Uint8Array[] = [];
    let size = 0;
    let partOp = 0;
    try {
      for (;;) {
        const f = await readFrame(this.#r, this.#opts.maxMessage);
        if (!f) return this.#end(this.#closeReason ?? "client left");
        this.#heardAt = performance.now();
        if (f.opcode === OP.ping) {
          if (this.#state === "open") await this.#write(OP.pong, f.payload);
        } else if (f.opcode === OP.close) {
          const code = f.payload.length >= 2 ? (f.payload[0] << 8) | f.payload[1] : 1005;
          if (this.#state === "open") this.#sendClose(code === 1005 ? 1000 : code, "");
          this.#state = "closing";
          await this.#writing;
          return this.#end(this.#closeReason ?? `client closed (${code})`);
        } else if (f.opcode === OP.pong) {
          // Unsolicited pongs are allowed and ignored.
        } else {
          if ((f.opcode === OP.continuation) !== (parts.length > 0)) {
            throw new HttpFrontError("websocket_protocol", 1002, "WebSocket fragment out of sequence");
          }
          if (f.opcode !== OP.continuation) partOp = f.opcode;
          size += f.payload.length;
          if (size > this.#opts.maxMessage) {
            throw new HttpFrontError(
              "websocket_protocol",
              1009,
              `WebSocket message over ${this.#opts.maxMessage} bytes refused`,
            );
          }
          parts.push(f.payload);
          if (f.fin) {
            const msg = parts.length === 1 ? parts[0] : join(parts, size);
            parts = [];
            size = 0;
            this.onmessage?.(msg, partOp === OP.text);
          }
        }
      }
    } catch (err) {
      if (err instanceof HttpFrontError && this.#state === "open") {
        this.#sendClose(err.status, err.message);
        this.#state = "closing";
        await this.#writing.catch(() => {});
      }
      this.#end(`websocket error: ${(err as Error)?.message ?? err}`);
    }
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#write(OP.close, closePayload(code, reason)).catch(() => {});
  }

  #write(opcode: number, payload: Uint8Array): Promise<void> {
    const h = frameHeader(opcode, payload.length);
    const frame = new Uint8Array(h.length + payload.length);
    frame.set(h);
    frame.set(payload, h.length);
    const p = this.#writing.then(() => {
      if (this.#state === "closed") throw new Error("websocket closed");
      return writeAll(this.#conn, frame);
    });
    // A failed write ends the socket; the chain itself never rejects (nobody awaits it).
    this.#writing = p.catch((err) =>
      this.#end(this.#closeReason ?? `write failed: ${(err as Error)?.message ?? err}`)
    );
    return p;
  }

  #end(reason: string, closeConn = true): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearInterval(this.#idleTimer);
    if (closeConn) {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    this.#resolveClosed(reason);
  }
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
