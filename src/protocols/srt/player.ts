/**
 * An SRT player: one TsMuxer per stream behind the core Fanout (mux once, share the bytes); each
 * player's connection cuts the shared TS into 7 × 188-byte payloads. Joining players get PAT/PMT
 * and the GOP cache, so they start on a keyframe. TS has no standard G.711 carriage: such audio is
 * left out (one log line per stream).
 */
import { Fanout, type FanoutMuxer, type FanoutOptions, type Frame, type Stream } from "../../core/mod.ts";
import { tsCarries, TsMuxer } from "../../formats/mpegts/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { SrtConnection } from "./connection.ts";

export const SRT_FANOUT_ID = "srt:mpegts";

export class TsFanoutMuxer implements FanoutMuxer {
  #ts: TsMuxer;
  #log: Logger;
  #warned = false;

  constructor(stream: Stream, log: Logger) {
    this.#log = log;
    const video = stream.videoTrack && tsCarries(stream.videoTrack) ? stream.videoTrack : undefined;
    const audio = stream.audioTrack && tsCarries(stream.audioTrack) ? stream.audioTrack : undefined;
    this.#ts = new TsMuxer({ video, audio });
    for (const t of stream.tracks) if (!tsCarries(t)) this.#skip(t.codec);
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    if (!tsCarries(frame.track)) return this.#skip(frame.track.codec);
    const bytes = this.#ts.mux(frame);
    if (bytes.length) out.push(bytes);
  }

  header(): Uint8Array {
    return this.#ts.header();
  }

  #skip(codec: string) {
    if (this.#warned) return;
    this.#warned = true;
    this.#log.info("srt output leaves out a track MPEG-TS cannot carry: video only", { codec });
  }
}

/** Subscribes `conn` to the stream's shared TS fan-out until either side leaves. */
export function attachPlayer(conn: SrtConnection, stream: Stream, log: Logger, opts: FanoutOptions): void {
  const release = stream.attachPlayer("srt");
  const lease = stream.outputs.acquire(
    SRT_FANOUT_ID,
    () => new Fanout(stream, new TsFanoutMuxer(stream, log), opts),
  );
  const sub = lease.value.subscribe({
    write: (bytes) => conn.write(bytes),
    close: (reason) => conn.close(reason),
  });
  conn.closed.then(() => {
    sub.close("player left");
    release();
    lease.release(); // the last SRT player stops the TS muxing
  });
}
