/**
 * Server events other than publish and unpublish (which the hub's own listeners carry): what a
 * service did that an operator's systems may want to hear about, e.g. a recording file closed. The
 * hub carries one bus, so the service that raises an event and the one that reports it (the hooks)
 * do not know each other.
 */

/** A recording file was closed: its playlist is final and playable. */
export interface RecordDoneEvent {
  type: "record_done";
  /** The recorded stream: app/name. */
  key: string;
  /** The manifest's path under the recording root (`<vhost>/<name>/<day>/<time>.m3u8|.mpd`). */
  file: string;
  /** Where the recordings API serves it (`/rec/<name>/<day>/<time>.<ext>`). */
  url: string;
  durationS: number;
  segments: number;
}

/**
 * A player was admitted to a stream over a connection of its own (RTMP, RTSP, SRT, HTTP-FLV, WS-FLV,
 * WebRTC). HLS and DASH players are not: each of their playlist polls is an admission.
 */
export interface PlayEvent {
  type: "play";
  key: string;
  /** rtmp, rtsp, srt, http (HTTP-FLV and WS-FLV: `ext` ".flv"), webrtc. */
  protocol: string;
  ext: string;
  remote: string;
  query: string;
}

export type ServerEvent = RecordDoneEvent | PlayEvent;

export class ServerEvents {
  #listeners = new Set<(e: ServerEvent) => void>();

  /** Adds a listener; returns the function that removes it. */
  on(fn: (e: ServerEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Tells every listener; one that throws does not keep the others from hearing it. */
  emit(e: ServerEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(e);
      } catch { /* a listener's own fault: the raiser goes on */ }
    }
  }
}
