/**
 * The RTMP FanoutMuxer: every frame becomes one complete RTMP message in chunks of the server's
 * chunk size (fmt 0 header, fmt 3 continuations, message stream 1), built once per stream and
 * variant and shared by all its players.
 */
import { dtsMs, type Frame } from "../../core/frame.ts";
import { concat, type FanoutMuxer } from "../../core/fanout.ts";
import type { Stream } from "../../core/stream.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { type AmfValue, onMetaDataBody } from "../../formats/amf/mod.ts";
import {
  audioFrameHeader,
  audioSequenceBody,
  type FlvVideoForm,
  metadataObject,
  videoFrameHeader,
  videoSequenceBody,
} from "../../formats/flv/mod.ts";
import { chunkMessage } from "./chunk_stream.ts";
import { Csid, MessageType } from "./messages.ts";

/** Every play goes on message stream 1 (createStream always answers 1), so bytes are shareable. */
export const PLAY_STREAM_ID = 1;

export interface RtmpMuxerOptions {
  form: FlvVideoForm;
  chunkSize: number;
  hevcCodecId?: number;
  fmt3ExtTime?: boolean;
}

export class RtmpMuxer implements FanoutMuxer {
  #stream: Stream;
  #opts: RtmpMuxerOptions;
  #video: VideoTrack | undefined;
  #audio: AudioTrack | undefined;
  /** Frames that could not be muxed (e.g. a composition offset beyond 24 bits). */
  skipped = 0;

  constructor(stream: Stream, opts: RtmpMuxerOptions) {
    this.#stream = stream;
    this.#opts = opts;
  }

  #message(csid: number, type: number, ms: number, payload: Uint8Array | Uint8Array[]): Uint8Array {
    return chunkMessage({ csid, type, streamId: PLAY_STREAM_ID, timestamp: ms, payload }, {
      chunkSize: this.#opts.chunkSize,
      fmt3ExtTime: this.#opts.fmt3ExtTime,
    });
  }

  #videoSequence(t: VideoTrack, ms: number): Uint8Array {
    const body = videoSequenceBody(t, this.#opts.form, { hevcCodecId: this.#opts.hevcCodecId });
    return this.#message(Csid.video, MessageType.video, ms, body);
  }

  #audioSequence(t: AudioTrack, ms: number): Uint8Array | undefined {
    const body = audioSequenceBody(t);
    return body ? this.#message(Csid.audio, MessageType.audio, ms, body) : undefined;
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    const ms = dtsMs(frame);
    try {
      if (frame.track.kind === "video") {
        const t = frame.track;
        if (t !== this.#video) {
          this.#video = t;
          out.push(this.#videoSequence(t, ms));
        }
        const head = videoFrameHeader(frame, this.#opts.form, { hevcCodecId: this.#opts.hevcCodecId });
        out.push(this.#message(Csid.video, MessageType.video, ms, [head, frame.data]));
      } else {
        const t = frame.track;
        if (t !== this.#audio) {
          this.#audio = t;
          const seq = this.#audioSequence(t, ms);
          if (seq) out.push(seq);
        }
        out.push(this.#message(Csid.audio, MessageType.audio, ms, [audioFrameHeader(frame), frame.data]));
      }
    } catch {
      // One unmuxable frame must not end the stream for every player.
      this.skipped++;
    }
  }

  /** onMetaData + the current sequence headers: what a joining player needs first. */
  header(): Uint8Array {
    const s = this.#stream;
    const v = s.videoTrack, a = s.audioTrack;
    const meta: Record<string, AmfValue> = {
      ...(s.metadata as Record<string, AmfValue> | undefined),
      ...metadataObject(v, a, { form: this.#opts.form, hevcCodecId: this.#opts.hevcCodecId }),
      server: "Estuary",
    };
    const parts = [this.#message(Csid.data, MessageType.dataAmf0, 0, onMetaDataBody(meta))];
    if (v) parts.push(this.#videoSequence(v, 0));
    const seq = a && this.#audioSequence(a, 0);
    if (seq) parts.push(seq);
    return concat(parts);
  }
}
