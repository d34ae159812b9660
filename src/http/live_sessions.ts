/**
 * Long-lived HTTP responses and WebSockets. Deno's `server.shutdown()` waits for every response to
 * finish, and a live FLV body never does on its own, so closing the server ends these first.
 */
export class LiveSessions {
  #closers = new Set<(reason: string) => void>();
  #closing = false;

  get size(): number {
    return this.#closers.size;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Registers a session; returns the function to call when it ends by itself. */
  add(close: (reason: string) => void): () => void {
    if (this.#closing) {
      close("server stopping");
      return () => {};
    }
    this.#closers.add(close);
    return () => this.#closers.delete(close);
  }

  /** Accepts sessions again (a server started after a close). */
  open(): void {
    this.#closing = false;
  }

  /** Ends every session; later sessions are refused at once until open(). */
  closeAll(reason = "server stopping"): void {
    this.#closing = true;
    for (const c of [...this.#closers]) {
      this.#closers.delete(c);
      try {
        c(reason);
      } catch { /* one session's failure must not keep the others open */ }
    }
  }
}
