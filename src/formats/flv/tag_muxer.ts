/**
 * Frames → FLV tags, the part HTTP-FLV and RTMP share: which tags a frame needs (a sequence header
 * first when its track is new), their bodies, and what a joining player needs (onMetaData and the
 * current sequence headers). How a tag is framed is the writer's: an FLV byte stream wraps it in a
 * tag header and PreviousTagSize, RTMP in chunks of one message.
 */
import { dtsMs, type Frame } from "../../core/frame.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { onMetaDataBody } from "../amf/mod.ts";
import { liveMetadata } from "./metadata.ts";
import {
  audioFrameHeader,
  audioSequenceBody,
  type FlvVideoForm,
  videoFrameHeader,
  videoSequenceBody,
} from "./mux.ts";
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTagType } from "./tag.ts";

/** Frames one tag; RTMP message types 8, 9 and 18 are the FLV tag types. */
export interface FlvTagWriter {
  /**
   * Appends to `out` one tag whose body is `head` followed by `data` (a frame's shared payload,
   * never copied here; absent for sequence headers and metadata).
   */
  writeTag(out: Uint8Array[], type: FlvTagType, ms: number, head: Uint8Array, data?: Uint8Array): void;
}

export interface FlvTagMuxerOptions {
  /** legacy: codec ids 7 / `hevcCodecId`; enhanced: E-RTMP FourCC headers (AV1/VP9/Opus always are). */
  form: FlvVideoForm;
  /** Legacy codec id for HEVC (smart_rtmpd `codech265`, default 12). */
  hevcCodecId?: number;
  /** Called for the first frame that cannot be muxed (later ones are only counted). */
  onSkip?: (err: unknown) => void;
}

/** What the player-facing header is built from (a Stream). */
export interface FlvHeaderSource {
  readonly metadata: Record<string, unknown> | undefined;
  readonly videoTrack: VideoTrack | undefined;
  readonly audioTrack: AudioTrack | undefined;
}

export class FlvTagMuxer {
  readonly #opts: FlvTagMuxerOptions;
  readonly #codec: { hevcCodecId?: number };
  #video: VideoTrack | undefined;
  #audio: AudioTrack | undefined;
  #lastMs = 0;
  /** Frames that could not be muxed (e.g. a composition offset beyond 24 bits). */
  skipped = 0;

  constructor(opts: FlvTagMuxerOptions) {
    this.#opts = opts;
    this.#codec = { hevcCodecId: opts.hevcCodecId };
  }

  /** Time of the last frame muxed, in ms (0 before any). */
  get lastMs(): number {
    return this.#lastMs;
  }

  /**
   * The tracks a joining player must be told about: those of the frames muxed so far, which the
   * shared bytes it joins belong to; the stream's own before the first frame.
   */
  tracks(source: FlvHeaderSource): { video?: VideoTrack; audio?: AudioTrack } {
    return { video: this.#video ?? source.videoTrack, audio: this.#audio ?? source.audioTrack };
  }

  /** Appends one frame's tag, after a sequence header when its track is new. Never throws. */
  mux(frame: Frame, w: FlvTagWriter, out: Uint8Array[]): void {
    const ms = dtsMs(frame);
    try {
      const t = frame.track;
      if (t.kind === "video") {
        if (t !== this.#video) {
          w.writeTag(out, FLV_TAG_VIDEO, ms, videoSequenceBody(t, this.#opts.form, this.#codec));
          this.#video = t;
        }
        w.writeTag(out, FLV_TAG_VIDEO, ms, videoFrameHeader(frame, this.#opts.form, this.#codec), frame.data);
      } else {
        if (t !== this.#audio) {
          const seq = audioSequenceBody(t);
          if (seq) w.writeTag(out, FLV_TAG_AUDIO, ms, seq);
          this.#audio = t;
        }
        w.writeTag(out, FLV_TAG_AUDIO, ms, audioFrameHeader(frame), frame.data);
      }
      this.#lastMs = ms;
    } catch (err) {
      // One unrepresentable frame must not end the stream for every player.
      if (this.skipped++ === 0) this.#opts.onSkip?.(err);
    }
  }

  /** onMetaData, then the sequence headers of `tracks(source)`, all at `ms`. */
  header(source: FlvHeaderSource, ms: number, w: FlvTagWriter, out: Uint8Array[]): void {
    const { video, audio } = this.tracks(source);
    const meta = liveMetadata(source.metadata, video, audio, { ...this.#codec, form: this.#opts.form });
    w.writeTag(out, FLV_TAG_SCRIPT, ms, onMetaDataBody(meta));
    if (video) {
      w.writeTag(out, FLV_TAG_VIDEO, ms, videoSequenceBody(video, this.#opts.form, this.#codec));
    }
    const seq = audio ? audioSequenceBody(audio) : null;
    if (seq) w.writeTag(out, FLV_TAG_AUDIO, ms, seq);
  }
}
