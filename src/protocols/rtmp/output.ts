/**
 * The player side. Each stream gets one RtmpMuxer per variant (legacy / Enhanced RTMP) inside a
 * core Fanout: every frame becomes one complete RTMP message in chunks of the server's chunk size
 * (fmt 0 header, fmt 3 continuations, message stream 1), built once and shared by all players.
 */
import { dtsMs, type Frame } from "../../core/frame.ts";
import { Fanout, type FanoutMuxer, type FanoutOptions, type Subscriber } from "../../core/fanout.ts";
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
    return join(parts);
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** The FourCCs a client lists in connect (`fourCcList`, `videoFourCcInfoMap`, `audioFourCcInfoMap`). */
export function clientFourCcs(connectObject: Record<string, AmfValue>): Set<string> {
  const set = new Set<string>();
  const list = connectObject.fourCcList;
  if (Array.isArray(list)) { for (const v of list) if (typeof v === "string") set.add(v); }
  for (const key of ["videoFourCcInfoMap", "audioFourCcInfoMap"]) {
    const map = connectObject[key];
    if (map && typeof map === "object" && !Array.isArray(map)) {
      for (const k of Object.keys(map)) set.add(k);
    }
  }
  return set;
}

/**
 * Legacy or Enhanced for one player. H264 always goes legacy (every player knows it); HEVC goes
 * enhanced to players that listed `hvc1` (or "*"); codecs without a legacy form are enhanced in
 * either variant.
 */
export function chooseForm(fourCcs: ReadonlySet<string>, video: VideoTrack | undefined): FlvVideoForm {
  if (video?.codec === "h264") return "legacy";
  const want = video ? fourCcOf(video) : "hvc1";
  return fourCcs.has(want) || fourCcs.has("*") ? "enhanced" : "legacy";
}

function fourCcOf(t: VideoTrack): string {
  switch (t.codec) {
    case "h264":
      return "avc1";
    case "h265":
      return "hvc1";
    case "av1":
      return "av01";
    case "vp9":
      return "vp09";
    case "vp8":
      return "vp08";
  }
}

export interface PlayOutputOptions {
  form: FlvVideoForm;
  chunkSize: number;
  hevcCodecId?: number;
  fmt3ExtTime?: boolean;
  fanout: FanoutOptions;
}

/** The shared Fanout of a stream for one variant and chunking (created by the first player). */
export function rtmpFanout(stream: Stream, o: PlayOutputOptions): Fanout {
  const id = `rtmp-${o.form}/${o.chunkSize}/${o.fmt3ExtTime === false ? "x" : "e"}`;
  return stream.shared(id, () => {
    const muxer = new RtmpMuxer(stream, o);
    return new Fanout(stream, muxer, o.fanout);
  });
}

export type { Subscriber };
