/**
 * Frames → an FLV byte stream, once per stream for every HTTP-FLV and WS-FLV player (a
 * FanoutMuxer). The tags come from the shared FlvTagMuxer; this layer only frames them: tag header
 * before, PreviousTagSize after. A player joining gets `header()`: the FLV file header, onMetaData
 * and the current sequence headers.
 */
import { concat, writeU32 } from "../../core/bytes.ts";
import type { FanoutMuxer } from "../../core/fanout.ts";
import type { Frame } from "../../core/frame.ts";
import type { Stream } from "../../core/stream.ts";
import { FlvTagMuxer, type FlvTagMuxerOptions, type FlvTagWriter } from "./tag_muxer.ts";
import { FLV_TAG_HEADER_SIZE, flvHeader, flvTag, type FlvTagType, writeFlvTagHeader } from "./tag.ts";

export type FlvFanoutMuxerOptions = FlvTagMuxerOptions;

export class FlvFanoutMuxer implements FanoutMuxer, FlvTagWriter {
  readonly #stream: Stream;
  readonly #tags: FlvTagMuxer;

  constructor(stream: Stream, opts: FlvFanoutMuxerOptions) {
    this.#stream = stream;
    this.#tags = new FlvTagMuxer(opts);
  }

  /** Frames that could not be muxed. */
  get skipped(): number {
    return this.#tags.skipped;
  }

  header(): Uint8Array {
    const { video, audio } = this.#tags.tracks(this.#stream);
    const known = video !== undefined || audio !== undefined;
    // Before any track is known, announce both: players then wait for whichever comes.
    const parts = [flvHeader({ video: !known || video !== undefined, audio: !known || audio !== undefined })];
    // Stamped with the latest frame's time rather than 0: it sits just before the shared bytes.
    this.#tags.header(this.#stream, this.#tags.lastMs, this, parts);
    return concat(parts);
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    this.#tags.mux(frame, this, out);
  }

  /** @internal FlvTagWriter: the payload stays shared; the fan-out copies it once into a chunk. */
  writeTag(out: Uint8Array[], type: FlvTagType, ms: number, head: Uint8Array, data?: Uint8Array): void {
    if (!data) {
      out.push(flvTag(type, ms, head));
      return;
    }
    const bodyLen = head.length + data.length;
    const before = new Uint8Array(FLV_TAG_HEADER_SIZE + head.length);
    writeFlvTagHeader(before, 0, type, ms, bodyLen);
    before.set(head, FLV_TAG_HEADER_SIZE);
    const after = new Uint8Array(4);
    writeU32(after, 0, FLV_TAG_HEADER_SIZE + bodyLen);
    out.push(before, data, after);
  }
}
