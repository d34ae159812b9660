/**
 * A fan-out sink on a server WebSocket: each chunk is one binary message. `write` settles once the
 * socket's send buffer is below a bound, so a peer that stops reading stalls our writes instead of
 * growing memory, and the fan-out's stall/drop rules take over.
 */
import type { FanoutSink } from "../core/mod.ts";

export class WsSink implements FanoutSink {
  #ws: WebSocket;
  #maxBuffered: number;
  bytes = 0;

  constructor(ws: WebSocket, maxBuffered = 256 * 1024) {
    this.#ws = ws;
    this.#maxBuffered = maxBuffered;
  }

  write(bytes: Uint8Array): Promise<void> {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error("websocket closed"));
    ws.send(bytes);
    this.bytes += bytes.byteLength;
    if (ws.bufferedAmount <= this.#maxBuffered) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (ws.readyState !== WebSocket.OPEN) reject(new Error("websocket closed"));
        else if (ws.bufferedAmount <= this.#maxBuffered) resolve();
        else setTimeout(poll, 10);
      };
      setTimeout(poll, 10);
    });
  }

  close(reason: string): void {
    if (this.#ws.readyState === WebSocket.CLOSED || this.#ws.readyState === WebSocket.CLOSING) return;
    // Close reasons are limited to 123 bytes of UTF-8.
    const why = new TextEncoder().encode(reason).length > 123 ? reason.slice(0, 40) : reason;
    try {
      this.#ws.close(1000, why);
    } catch { /* already gone */ }
  }
}
