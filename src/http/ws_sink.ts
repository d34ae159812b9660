/**
 * A fan-out sink on a server WebSocket of the HTTP front: each chunk is one binary message, and
 * `write` settles once the frame is on the socket, so a peer that stops reading stalls our writes
 * instead of growing memory, and the fan-out's stall/drop rules take over.
 */
import type { FanoutSink } from "../core/mod.ts";
import type { FrontWebSocket } from "./front/mod.ts";

export class WsSink implements FanoutSink {
  #ws: FrontWebSocket;
  bytes = 0;

  constructor(ws: FrontWebSocket) {
    this.#ws = ws;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.bytes += bytes.byteLength;
    return this.#ws.send(bytes);
  }

  close(reason: string): void {
    this.#ws.close(1000, reason);
  }
}
