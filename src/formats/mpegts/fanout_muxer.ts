/**
 * Frames → one shared MPEG-TS byte stream (a FanoutMuxer): a TsMuxer per stream behind the core
 * Fanout, mux once and share the bytes. Joining players get PAT/PMT and then the shared chunks,
 * so they start on a keyframe. TS has no standard G.711 carriage: such a track is left out.
 */
import type { FanoutMuxer } from "../../core/fanout.ts";
import type { Frame } from "../../core/frame.ts";
import type { Stream } from "../../core/stream.ts";
import { tsCarries, TsMuxer } from "./muxer.ts";

export interface TsFanoutMuxerOptions {
  /** Called once, for the first track that TS cannot carry (by codec name). */
  onLeftOut?: (codec: string) => void;
}

export class TsFanoutMuxer implements FanoutMuxer {
  readonly #ts: TsMuxer;
  readonly #opts: TsFanoutMuxerOptions;
  #warned = false;

  constructor(stream: Stream, opts: TsFanoutMuxerOptions = {}) {
    this.#opts = opts;
    const video = stream.videoTrack && tsCarries(stream.videoTrack) ? stream.videoTrack : undefined;
    const audio = stream.audioTrack && tsCarries(stream.audioTrack) ? stream.audioTrack : undefined;
    this.#ts = new TsMuxer({ video, audio });
    for (const t of stream.tracks) if (!tsCarries(t)) this.#leaveOut(t.codec);
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    if (!tsCarries(frame.track)) return this.#leaveOut(frame.track.codec);
    const bytes = this.#ts.mux(frame);
    if (bytes.length) out.push(bytes);
  }

  header(): Uint8Array {
    return this.#ts.header();
  }

  #leaveOut(codec: string) {
    if (this.#warned) return;
    this.#warned = true;
    this.#opts.onLeftOut?.(codec);
  }
}
