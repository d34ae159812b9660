/**
 * The RTMP FanoutMuxer: the shared FlvTagMuxer's tags, each as one complete RTMP message in
 * chunks of the server's chunk size (fmt 0 header, fmt 3 continuations, message stream 1), built
 * once per stream and variant and shared by all its players.
 */
import { concat } from "../../core/bytes.ts";
import type { FanoutMuxer } from "../../core/fanout.ts";
import type { Frame } from "../../core/frame.ts";
import type { Stream } from "../../core/stream.ts";
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  FlvTagMuxer,
  type FlvTagType,
  type FlvTagWriter,
  type FlvVideoForm,
} from "../../formats/flv/mod.ts";
import { chunkMessage } from "./chunk_stream.ts";
import { Csid } from "./messages.ts";

/** Every play goes on message stream 1 (createStream always answers 1), so bytes are shareable. */
export const PLAY_STREAM_ID = 1;

export interface RtmpMuxerOptions {
  form: FlvVideoForm;
  chunkSize: number;
  hevcCodecId?: number;
  fmt3ExtTime?: boolean;
}

export class RtmpMuxer implements FanoutMuxer, FlvTagWriter {
  readonly #stream: Stream;
  readonly #opts: RtmpMuxerOptions;
  readonly #tags: FlvTagMuxer;

  constructor(stream: Stream, opts: RtmpMuxerOptions) {
    this.#stream = stream;
    this.#opts = opts;
    this.#tags = new FlvTagMuxer({ form: opts.form, hevcCodecId: opts.hevcCodecId });
  }

  /** Frames that could not be muxed (e.g. a composition offset beyond 24 bits). */
  get skipped(): number {
    return this.#tags.skipped;
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    this.#tags.mux(frame, this, out);
  }

  /** onMetaData + the current sequence headers: what a joining player needs first. */
  header(): Uint8Array {
    const parts: Uint8Array[] = [];
    this.#tags.header(this.#stream, 0, this, parts);
    return concat(parts);
  }

  /** @internal FlvTagWriter: an FLV tag type is the RTMP message type of the same payload. */
  writeTag(out: Uint8Array[], type: FlvTagType, ms: number, head: Uint8Array, data?: Uint8Array): void {
    const csid = type === FLV_TAG_VIDEO ? Csid.video : type === FLV_TAG_AUDIO ? Csid.audio : Csid.data;
    out.push(chunkMessage({
      csid,
      type,
      streamId: PLAY_STREAM_ID,
      timestamp: ms,
      payload: data ? [head, data] : head,
    }, { chunkSize: this.#opts.chunkSize, fmt3ExtTime: this.#opts.fmt3ExtTime }));
  }
}
