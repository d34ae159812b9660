/**
 * The publisher side: RTMP audio/video/data messages → FlvDemuxer → Track + Frame → Stream.
 * Frames share views of the message payload (copied once by the chunk reader).
 */
import type { ExpectedTracks, Stream } from "../../core/stream.ts";
import type { Track } from "../../core/track.ts";
import { FlvDemuxer } from "../../formats/flv/mod.ts";
import { type AmfObject, metaDataOf, parseScriptData } from "../../formats/amf/mod.ts";
import type { RtmpMessage } from "./chunk_stream.ts";
import { MessageType, splitAggregate } from "./messages.ts";

export interface IngestOptions {
  /** Legacy codec id taken as HEVC (smart_rtmpd `codech265`, default 12). */
  hevcCodecId?: number;
}

export class Ingest {
  readonly stream: Stream;
  #demux: FlvDemuxer;
  #video: Track | undefined;
  #audio: Track | undefined;
  #announced = false;
  /** Media messages accepted (for the session's stop line). */
  messages = 0;

  constructor(stream: Stream, opts: IngestOptions = {}) {
    this.stream = stream;
    this.#demux = new FlvDemuxer({ hevcCodecId: opts.hevcCodecId });
  }

  /** Handles one media or data message of the publishing stream. */
  message(m: RtmpMessage): void {
    switch (m.type) {
      case MessageType.video:
        return this.video(m.payload, m.timestamp);
      case MessageType.audio:
        return this.audio(m.payload, m.timestamp);
      case MessageType.dataAmf0:
      case MessageType.dataAmf3:
        return this.data(m.payload, m.type === MessageType.dataAmf3);
      case MessageType.aggregate:
        for (const p of splitAggregate(m.payload, m.timestamp)) {
          this.message({
            csid: m.csid,
            streamId: m.streamId,
            type: p.type,
            timestamp: p.timestamp,
            payload: p.payload,
          });
        }
    }
  }

  video(body: Uint8Array, ms: number): void {
    if (body.byteLength === 0) return;
    this.messages++;
    const frame = this.#demux.video(body, ms);
    const t = this.#demux.videoTrack;
    if (t && t !== this.#video) {
      this.#video = t;
      this.stream.setTrack(t);
    }
    if (frame) this.stream.write(frame);
  }

  audio(body: Uint8Array, ms: number): void {
    if (body.byteLength === 0) return;
    this.messages++;
    const frame = this.#demux.audio(body, ms);
    const t = this.#demux.audioTrack;
    if (t && t !== this.#audio) {
      this.#audio = t;
      this.stream.setTrack(t);
    }
    if (frame) this.stream.write(frame);
  }

  /** `@setDataFrame onMetaData` (or a bare onMetaData) becomes the stream's metadata. */
  data(body: Uint8Array, amf3: boolean): void {
    const d = parseScriptData(body, { amf3 });
    const meta = metaDataOf(d);
    if (!meta) return;
    this.stream.metadata = { ...meta };
    const kinds = this.#announced ? undefined : announcedTracks(meta);
    if (kinds) {
      this.#announced = true;
      this.stream.expectTracks(kinds);
    }
  }
}

/**
 * The tracks an onMetaData promises: `hasVideo`/`hasAudio` when the encoder sets them (OBS, FMLE),
 * else whether it names a codec id (ffmpeg writes `videocodecid`/`audiocodecid` only for the
 * streams it has). Undefined when it says nothing either way.
 */
export function announcedTracks(meta: AmfObject): ExpectedTracks | undefined {
  const says = (flag: string, codecId: string): boolean | undefined => {
    const f = meta[flag];
    if (typeof f === "boolean") return f;
    const id = meta[codecId];
    return id !== undefined && id !== null ? true : undefined;
  };
  const video = says("hasVideo", "videocodecid");
  const audio = says("hasAudio", "audiocodecid");
  if (video === undefined && audio === undefined) return undefined;
  return { video: video ?? false, audio: audio ?? false };
}
