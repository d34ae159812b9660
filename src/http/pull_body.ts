/**
 * A response body fed by a fan-out. `write` settles only when the HTTP layer has pulled the chunk,
 * so a client that stops reading stops our writes (real back-pressure, no unbounded buffer): the
 * fan-out then drops that player to keyframes and finally disconnects it.
 */
import type { FanoutSink } from "../core/mod.ts";

export class PullBody implements FanoutSink {
  readonly stream: ReadableStream<Uint8Array>;
  #ctl!: ReadableStreamDefaultController<Uint8Array>;
  #pending: { bytes: Uint8Array; resolve: () => void } | undefined;
  #pullWaiting: (() => void) | undefined;
  #closed = false;
  #onCancel: (reason: string) => void;
  bytes = 0;

  /** `onCancel` runs once when the client goes away (not when we close). */
  constructor(onCancel: (reason: string) => void) {
    this.#onCancel = onCancel;
    this.stream = new ReadableStream<Uint8Array>({
      start: (ctl) => {
        this.#ctl = ctl;
      },
      pull: () => this.#pull(),
      cancel: (reason) => this.#cancel(reason),
    }, { highWaterMark: 0 });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("response closed"));
    this.bytes += bytes.byteLength;
    const waiting = this.#pullWaiting;
    if (waiting) {
      // A read is already waiting: the chunk goes straight to it.
      this.#pullWaiting = undefined;
      this.#ctl.enqueue(bytes);
      waiting();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#pending = { bytes, resolve };
    });
  }

  #pull(): Promise<void> | void {
    const p = this.#pending;
    if (p) {
      this.#pending = undefined;
      this.#ctl.enqueue(p.bytes);
      p.resolve();
      return;
    }
    if (this.#closed) return;
    return new Promise<void>((r) => this.#pullWaiting = r);
  }

  /** Ends the response after the bytes already handed to us. */
  close(_reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const p = this.#pending;
    this.#pending = undefined;
    try {
      if (p) this.#ctl.enqueue(p.bytes);
      this.#ctl.close();
    } catch { /* already cancelled */ }
    p?.resolve();
    this.#pullWaiting?.();
    this.#pullWaiting = undefined;
  }

  #cancel(reason: unknown): void {
    const wasClosed = this.#closed;
    this.#closed = true;
    this.#pending?.resolve();
    this.#pending = undefined;
    this.#pullWaiting = undefined;
    if (!wasClosed) this.#onCancel(`client left${reason ? `: ${reason}` : ""}`);
  }
}
