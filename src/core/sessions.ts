/**
 * Every connection of every protocol, in one place: what the admin's Sessions page lists and kicks.
 * A protocol adds a session when it accepts the connection and removes it when it ends; the view is
 * read on demand (`info()`), so nothing is copied per packet.
 */

export type SessionRole = "publisher" | "player" | "idle";

export interface SessionInfo {
  /** Unique in this process, e.g. "rtmp#12". */
  id: string;
  /** rtmp, rtmps, rtsp, rtsps, srt, http-flv, ws-flv, webrtc… */
  protocol: string;
  role: SessionRole;
  /** Client address, "host:port". */
  remote: string;
  /** The stream key (app/name) once publishing or playing. */
  stream?: string;
  startedAt: number;
  bytesIn: number;
  bytesOut: number;
}

export interface SessionSource {
  info(): SessionInfo;
  /** Ends the session with its protocol's goodbye where it has one. */
  close(reason: string): void;
}

export class SessionRegistry {
  #byId = new Map<string, SessionSource>();
  #onEnd = new Set<(info: SessionInfo) => void>();

  /** Adds a session; returns the function that removes it (idempotent). */
  add(s: SessionSource): () => void {
    const id = s.info().id;
    this.#byId.set(id, s);
    return () => {
      if (this.#byId.get(id) !== s) return;
      this.#byId.delete(id);
      if (this.#onEnd.size === 0) return;
      const last = s.info();
      for (const fn of this.#onEnd) {
        try {
          fn(last);
        } catch { /* a listener's own fault */ }
      }
    };
  }

  /** Hears each session end, with its last view (role, stream, bytes); returns the remover. */
  onEnd(fn: (info: SessionInfo) => void): () => void {
    this.#onEnd.add(fn);
    return () => this.#onEnd.delete(fn);
  }

  get size(): number {
    return this.#byId.size;
  }

  list(): SessionInfo[] {
    return [...this.#byId.values()].map((s) => s.info());
  }

  /** Closes one session; false when there is no such id. */
  kick(id: string, reason: string): boolean {
    const s = this.#byId.get(id);
    if (!s) return false;
    s.close(reason);
    return true;
  }
}
