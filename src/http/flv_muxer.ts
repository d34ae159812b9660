/**
 * Frames → FLV tags, once per stream for every HTTP-FLV and WS-FLV player (a FanoutMuxer).
 * A player joining gets `header()`: the FLV header, onMetaData and the current sequence headers.
 */
import { dtsMs, type FanoutMuxer, type Frame } from "../core/mod.ts";
import type { AudioTrack, Stream, VideoTrack } from "../core/mod.ts";
import { type AmfValue, onMetaDataBody } from "../formats/amf/mod.ts";
import {
  audioFrameHeader,
  audioSequenceBody,
  FLV_TAG_AUDIO,
  FLV_TAG_HEADER_SIZE,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  flvHeader,
  flvTag,
  type FlvTagType,
  type FlvVideoForm,
  metadataObject,
  videoFrameHeader,
  videoSequenceBody,
  writeFlvTagHeader,
} from "../formats/flv/mod.ts";
import type { Logger } from "../log/mod.ts";

export interface FlvMuxerOptions {
  /** legacy: codec ids 7 / `hevcCodecId`; enhanced: E-RTMP FourCC headers (AV1/VP9/Opus always are). */
  form: FlvVideoForm;
  hevcCodecId: number;
  log?: Logger;
}

/** Publisher metadata keys that describe a file, not a live stream. */
const FILE_ONLY = new Set(["duration", "filesize", "datasize", "lasttimestamp", "lastkeyframetimestamp"]);

export class FlvMuxer implements FanoutMuxer {
  #stream: Stream;
  #opts: FlvMuxerOptions;
  #video: VideoTrack | undefined;
  #audio: AudioTrack | undefined;
  #lastMs = 0;
  #errors = 0;

  constructor(stream: Stream, opts: FlvMuxerOptions) {
    this.#stream = stream;
    this.#opts = opts;
  }

  header(): Uint8Array {
    const video = this.#video ?? this.#stream.videoTrack;
    const audio = this.#audio ?? this.#stream.audioTrack;
    const known = video !== undefined || audio !== undefined;
    const parts = [
      // Before any track is known, announce both: players then wait for whichever comes.
      flvHeader({ video: !known || video !== undefined, audio: !known || audio !== undefined }),
      flvTag(FLV_TAG_SCRIPT, this.#lastMs, onMetaDataBody(this.#metadata(video, audio))),
    ];
    if (video) parts.push(flvTag(FLV_TAG_VIDEO, this.#lastMs, this.#videoSequence(video)));
    const aseq = audio ? audioSequenceBody(audio) : null;
    if (aseq) parts.push(flvTag(FLV_TAG_AUDIO, this.#lastMs, aseq));
    return join(parts);
  }

  #metadata(video?: VideoTrack, audio?: AudioTrack): Record<string, AmfValue> {
    const out: Record<string, AmfValue> = {};
    for (const [k, v] of Object.entries(this.#stream.metadata ?? {})) {
      if (!FILE_ONLY.has(k.toLowerCase())) out[k] = v as AmfValue;
    }
    const ours = metadataObject(video, audio, { form: this.#opts.form, hevcCodecId: this.#opts.hevcCodecId });
    for (const [k, v] of Object.entries(ours)) if (v !== undefined) out[k] = v;
    out.server = "Estuary";
    return out;
  }

  #videoSequence(t: VideoTrack): Uint8Array {
    return videoSequenceBody(t, this.#opts.form, { hevcCodecId: this.#opts.hevcCodecId });
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    const ms = dtsMs(frame);
    try {
      const t = frame.track;
      let bodyHead: Uint8Array;
      let type: FlvTagType;
      if (t.kind === "video") {
        if (t !== this.#video) {
          out.push(flvTag(FLV_TAG_VIDEO, ms, this.#videoSequence(t)));
          this.#video = t;
        }
        bodyHead = videoFrameHeader(frame, this.#opts.form, { hevcCodecId: this.#opts.hevcCodecId });
        type = FLV_TAG_VIDEO;
      } else {
        if (t !== this.#audio) {
          const seq = audioSequenceBody(t);
          if (seq) out.push(flvTag(FLV_TAG_AUDIO, ms, seq));
          this.#audio = t;
        }
        bodyHead = audioFrameHeader(frame);
        type = FLV_TAG_AUDIO;
      }
      // Header and trailer around the shared payload: the fan-out copies them all once into a chunk.
      const bodyLen = bodyHead.length + frame.data.length;
      const head = new Uint8Array(FLV_TAG_HEADER_SIZE + bodyHead.length);
      writeFlvTagHeader(head, 0, type, ms, bodyLen);
      head.set(bodyHead, FLV_TAG_HEADER_SIZE);
      const tail = new Uint8Array(4);
      new DataView(tail.buffer).setUint32(0, FLV_TAG_HEADER_SIZE + bodyLen);
      out.push(head, frame.data, tail);
      this.#lastMs = ms;
    } catch (err) {
      // One unrepresentable frame (e.g. a huge composition offset) must not end every player.
      if (this.#errors++ === 0) {
        this.#opts.log?.warn("flv mux dropped a frame", { key: this.#stream.key, err });
      }
    }
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
