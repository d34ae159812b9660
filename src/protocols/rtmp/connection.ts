/**
 * One RTMP connection after the handshake, shared by the server session and our client: the read
 * loop (a fixed read buffer; ChunkReader copies each payload once), protocol control messages,
 * acknowledgement windows, pings, and a serialized write queue.
 */
import type { Logger } from "../../log/mod.ts";
import { ProtocolError } from "../../core/errors.ts";
import { openTcpSend, type TcpSend } from "../../net/mod.ts";
import { ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import {
  ackMessage,
  MessageType,
  parseSetChunkSize,
  parseSetPeerBandwidth,
  parseU32Message,
  parseUserControl,
  setChunkSizeMessage,
  UserControl,
  userControlMessage,
  windowAckSizeMessage,
} from "./messages.ts";

const READ_BUFFER = 64 * 1024;

export interface ConnectionOptions {
  log: Logger;
  maxMessageLength?: number;
  /** Handles every message that is not protocol control; a returned promise is awaited in order. */
  onMessage: (m: RtmpMessage) => void | Promise<void>;
  /** Sends a PingRequest this often (0 = never). */
  pingIntervalMs?: number;
  /** Sends go straight onto a plain TCP socket when it takes them (net/tcp_send.ts). */
  directSend?: boolean;
}

export class RtmpConnection {
  readonly conn: Deno.Conn;
  bytesIn = 0;
  bytesOut = 0;
  /** Chunk size of everything we send (after our Set Chunk Size). */
  chunkSize = 128;
  /** The peer's window (from its Window Acknowledgement Size): ack every this many bytes. */
  #ackWindow = 0;
  #lastAck = 0;
  /** What the peer acknowledged of our bytes (for stats). */
  peerAcked = 0;
  #reader: ChunkReader;
  #opts: ConnectionOptions;
  #queue: RtmpMessage[] = [];
  #tail: Promise<void> = Promise.resolve();
  #writing = 0;
  #closed = false;
  #closeReason = "";
  #ping: ReturnType<typeof setInterval> | undefined;
  #rtt = 0;
  #direct: TcpSend | undefined;

  constructor(conn: Deno.Conn, opts: ConnectionOptions) {
    this.conn = conn;
    this.#opts = opts;
    if (opts.directSend) this.#direct = openTcpSend(conn);
    this.#reader = new ChunkReader(this.#onChunkMessage, { maxMessageLength: opts.maxMessageLength });
  }

  get closed(): boolean {
    return this.#closed;
  }
  get closeReason(): string {
    return this.#closeReason;
  }
  /** Round trip of the last ping, in ms (0 before the first answer). */
  get rtt(): number {
    return this.#rtt;
  }

  /** Protocol control messages take effect at once, before the next chunk is parsed. */
  #onChunkMessage = (m: RtmpMessage) => {
    switch (m.type) {
      case MessageType.setChunkSize:
        this.#reader.setChunkSize(parseSetChunkSize(m.payload));
        return;
      case MessageType.abort:
        this.#reader.abort(parseU32Message(m.payload, "Abort message"));
        return;
      case MessageType.ack:
        this.peerAcked = parseU32Message(m.payload, "Acknowledgement");
        return;
      case MessageType.windowAckSize:
        this.#ackWindow = parseU32Message(m.payload, "Window Acknowledgement Size");
        return;
      case MessageType.setPeerBandwidth: {
        // Answer with our window (as librtmp/ffmpeg expect) when the peer limits us.
        const { size } = parseSetPeerBandwidth(m.payload);
        this.send(windowAckSizeMessage(size));
        return;
      }
      case MessageType.userControl: {
        const ev = parseUserControl(m.payload);
        if (ev.event === UserControl.pingRequest) {
          this.send(userControlMessage(UserControl.pingResponse, ev.value));
        } else if (ev.event === UserControl.pingResponse) this.#rtt = (Date.now() >>> 0) - ev.value;
        else this.#queue.push(m);
        return;
      }
      default:
        this.#queue.push(m);
    }
  };

  /** Reads until the peer closes or sends something invalid; returns why it ended. */
  async run(initial?: Uint8Array): Promise<string> {
    if (this.#opts.pingIntervalMs) {
      this.#ping = setInterval(() => {
        this.send(userControlMessage(UserControl.pingRequest, Date.now() >>> 0));
      }, this.#opts.pingIntervalMs);
    }
    try {
      if (initial && initial.byteLength > 0) await this.#feed(initial);
      // Players send almost nothing, so they keep a small buffer; a publisher's reads fill it and
      // it doubles up to READ_BUFFER. Memory per player stays small at thousands of players.
      let buf = new Uint8Array(1024);
      while (!this.#closed) {
        const n = await this.conn.read(buf);
        if (n === null) {
          this.close("peer closed the connection");
          break;
        }
        await this.#feed(buf.subarray(0, n));
        if (n === buf.length && buf.length < READ_BUFFER) buf = new Uint8Array(buf.length * 2);
      }
    } catch (err) {
      this.close(describe(err));
    }
    return this.#closeReason;
  }

  async #feed(bytes: Uint8Array) {
    this.bytesIn += bytes.byteLength;
    this.#reader.push(bytes);
    if (this.#ackWindow > 0 && this.bytesIn - this.#lastAck >= this.#ackWindow) {
      this.#lastAck = this.bytesIn;
      this.send(ackMessage(this.bytesIn >>> 0));
    }
    const q = this.#queue;
    if (q.length === 0) return;
    this.#queue = [];
    for (const m of q) {
      if (this.#closed) return;
      const r = this.#opts.onMessage(m);
      if (r) await r;
    }
  }

  /** Sends our Set Chunk Size and uses it for everything after it. */
  setChunkSize(n: number): void {
    this.send(setChunkSizeMessage(n));
    this.chunkSize = n;
  }

  /**
   * Queues bytes behind earlier sends (messages never interleave). The promise resolves when they
   * are written, or when the connection has failed (it never rejects: a failed write closes the
   * connection, and the read loop reports why).
   */
  send(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const sent = this.trySend(bytes);
    if (sent === bytes.byteLength) return DONE;
    if (sent > 0) bytes = bytes.subarray(sent);
    // Hot path (one call per chunk per player): an idle connection writes at once, with one
    // reaction shared by every write (no closure, no async frame); a partial write finishes in
    // #writeAll.
    if (++this.#writing === 1) {
      this.#current = bytes;
      return this.#tail = this.conn.write(bytes).then(this.#wroteCurrent, this.#failed);
    }
    return this.#tail = this.#tail.then(() => this.#writeAll(bytes)).then(this.#done, this.#failed);
  }

  /**
   * Puts bytes on the socket now when nothing is queued before them and the socket takes them: how
   * many went (send the rest at once, behind them), or -1 when it cannot (a write in flight, TLS).
   */
  trySend(bytes: Uint8Array): number {
    if (this.#writing > 0 || !this.#direct || this.#closed) return -1;
    const n = this.#direct.send(bytes);
    this.bytesOut += n;
    return n;
  }

  /** The bytes of the fast-path write in flight. */
  #current: Uint8Array | undefined;
  #wroteCurrent = (n: number): Promise<void> | void => {
    const bytes = this.#current!;
    this.#current = undefined;
    if (n < bytes.byteLength) return this.#writeAll(bytes, n).then(this.#done, this.#failed);
    this.bytesOut += n;
    this.#writing--;
  };
  #done = () => {
    this.#writing--;
  };
  #failed = (err: unknown) => {
    this.#writing--;
    this.close(`write failed: ${describe(err)}`);
  };

  async #writeAll(bytes: Uint8Array, written = 0): Promise<void> {
    if (this.#closed) return;
    let o = written;
    while (o < bytes.byteLength) {
      o += await this.conn.write(o === 0 ? bytes : bytes.subarray(o));
    }
    this.bytesOut += bytes.byteLength;
  }

  /** Waits until queued sends are written (or failed), at most `ms`. */
  async flush(ms = 2000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#tail, new Promise((r) => timer = setTimeout(r, ms))]);
    clearTimeout(timer);
  }

  /** Sends what is queued, then closes (after a refusal the peer must see the reason). */
  async closeAfterFlush(reason: string): Promise<void> {
    await this.flush();
    this.close(reason);
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    clearInterval(this.#ping);
    this.#direct?.close();
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

const DONE = Promise.resolve();

export function describe(err: unknown): string {
  if (err instanceof ProtocolError) return err.message;
  if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
    return "connection closed";
  }
  if (err instanceof Deno.errors.ConnectionReset) return "connection reset by peer";
  if (err instanceof Deno.errors.BrokenPipe) return "broken pipe";
  return (err as Error)?.message ?? String(err);
}
