import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { readI24 } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";
import {
  aacTrack,
  av1Track,
  buildAv1c,
  g711Track,
  h264TrackFromAvcc,
  h265TrackFromHvcc,
  isAv1Keyframe,
  mp3Track,
  opusTrack,
  parseMpegAudioHeader,
  parseVp8Frame,
  parseVp9Frame,
  vp8Track,
  vp9Track,
} from "../../codecs/mod.ts";
import {
  AudioPacketType,
  AvcPacketType,
  FourCc,
  SoundFormat,
  VideoCodecId,
  VideoFrameType,
  VideoPacketType,
} from "./codec_id.ts";
import { need, readExTracks, unsupportedFourCc } from "./_ex_header.ts";

export interface FlvDemuxerOptions {
  /** Legacy (non-enhanced) codec id used for HEVC; smart_rtmpd's `codech265` (default 12). */
  hevcCodecId?: number;
}

/**
 * Turns FLV/RTMP audio and video tag bodies of one publisher into Frames.
 * Sequence headers produce a new Track (visible as a new object on `videoTrack`/`audioTrack`);
 * resending identical config bytes keeps the current Track. Coded frames that arrive before
 * their sequence header are dropped (null): there is nothing to decode them with yet.
 */
export class FlvDemuxer {
  readonly #hevcCodecId: number;
  #video?: VideoTrack;
  #videoConfig?: Uint8Array;
  #audio?: AudioTrack;
  #audioConfig?: Uint8Array;

  constructor(opts: FlvDemuxerOptions = {}) {
    this.#hevcCodecId = opts.hevcCodecId ?? VideoCodecId.hevcDefault;
  }

  get videoTrack(): VideoTrack | undefined {
    return this.#video;
  }

  get audioTrack(): AudioTrack | undefined {
    return this.#audio;
  }

  /** Demuxes one video tag body; null for sequence headers, metadata, commands and ends. */
  video(body: Uint8Array, timestampMs: number): Frame | null {
    need(body, 1, "FLV video tag");
    const frameType = (body[0] >> 4) & 7;
    if (body[0] & 0x80) return this.#exVideo(body, frameType, timestampMs);
    const codecId = body[0] & 0xf;
    if (frameType === VideoFrameType.command) return null;
    if (codecId !== VideoCodecId.avc && codecId !== this.#hevcCodecId) {
      throw new ProtocolError(
        `FLV video codec id ${codecId} is unsupported: must be 7 (AVC), ${this.#hevcCodecId} (HEVC) or an enhanced header`,
      );
    }
    need(body, 5, "FLV AVC/HEVC video tag");
    const hevc = codecId !== VideoCodecId.avc;
    const packetType = body[1];
    const payload = body.subarray(5);
    switch (packetType) {
      case AvcPacketType.sequenceHeader:
        this.#setVideo(payload, (c) => hevc ? h265TrackFromHvcc(c) : h264TrackFromAvcc(c));
        return null;
      case AvcPacketType.nalu:
        if (this.#video?.codec !== (hevc ? "h265" : "h264") || payload.length === 0) return null;
        return this.#videoFrame(timestampMs, readI24(body, 2), frameType === VideoFrameType.key, payload);
      case AvcPacketType.endOfSequence:
        return null;
      default:
        throw new ProtocolError(
          `FLV AVCPacketType ${packetType} is invalid: must be 0 (header), 1 (NALU) or 2 (end)`,
        );
    }
  }

  #exVideo(body: Uint8Array, frameType: number, ts: number): Frame | null {
    const packetType = body[0] & 0xf;
    if (packetType !== VideoPacketType.metadata && frameType === VideoFrameType.command) return null;
    const t = readExTracks(body, packetType, VideoPacketType.multitrack, "video");
    const key = frameType === VideoFrameType.key;
    const p = t.payload;
    const codec = codecOfVideoFourCc(t.fourCc);
    switch (t.packetType) {
      case VideoPacketType.sequenceStart:
        this.#setVideo(p, (c) => {
          if (codec === "h264") return h264TrackFromAvcc(c);
          if (codec === "h265") return h265TrackFromHvcc(c);
          if (codec === "av1") return av1Track(c);
          // VP8/VP9 sizes come from the first key frame.
          return codec === "vp9" ? vp9Track(0, 0, c) : vp8Track(0, 0);
        });
        return null;
      case VideoPacketType.codedFrames:
      case VideoPacketType.codedFramesX: {
        if (codec === "h264" || codec === "h265") {
          const hasCts = t.packetType === VideoPacketType.codedFrames;
          if (hasCts) need(p, 3, "Enhanced CodedFrames payload");
          const data = hasCts ? p.subarray(3) : p;
          if (this.#video?.codec !== codec || data.length === 0) return null;
          return this.#videoFrame(ts, hasCts ? readI24(p, 0) : 0, key, data);
        }
        if (p.length === 0) return null;
        if (codec === "av1") {
          if (this.#video?.codec !== "av1") {
            if (!isAv1Keyframe(p)) return null;
            const c = buildAv1c(p).bytes; // sequence header sent in-band only
            this.#setVideo(c, (copy) => av1Track(copy));
          }
        } else {
          this.#updateVpx(codec, p);
          if (this.#video?.codec !== codec) return null;
        }
        return this.#videoFrame(ts, 0, key, p);
      }
      case VideoPacketType.sequenceEnd:
      case VideoPacketType.metadata:
      case VideoPacketType.mpeg2TsSequenceStart:
        return null;
      default:
        throw new ProtocolError(`Enhanced VideoPacketType ${t.packetType} is invalid: must be 0..6`);
    }
  }

  // VP8/VP9 carry their size in key frame headers: adopt it (new Track) when it changes.
  #updateVpx(codec: "vp8" | "vp9", data: Uint8Array): void {
    const info = codec === "vp9" ? parseVp9Frame(data) : parseVp8Frame(data);
    if (!info.key || info.width === 0) return;
    const cur = this.#video;
    if (cur?.codec === codec && cur.width === info.width && cur.height === info.height) return;
    this.#video = codec === "vp9"
      ? vp9Track(info.width, info.height, cur?.codec === "vp9" ? cur.config : undefined)
      : vp8Track(info.width, info.height);
  }

  // Tracks outlive the message they came in: build them from a private copy of the config.
  #setVideo(config: Uint8Array, make: (config: Uint8Array) => VideoTrack): void {
    if (this.#video && this.#videoConfig && bytesEqual(this.#videoConfig, config)) return;
    const copy = config.slice();
    this.#video = make(copy);
    this.#videoConfig = copy;
  }

  #videoFrame(ts: number, cts: number, key: boolean, data: Uint8Array): Frame {
    return { track: this.#video!, dts: ts * 90, pts: (ts + cts) * 90, key, data };
  }

  /** Demuxes one audio tag body; null for sequence headers and other non-frame packets. */
  audio(body: Uint8Array, timestampMs: number): Frame | null {
    need(body, 1, "FLV audio tag");
    const format = body[0] >> 4;
    switch (format) {
      case SoundFormat.exHeader:
        return this.#exAudio(body, timestampMs);
      case SoundFormat.aac:
        return this.#packetised(body, timestampMs, "AAC", (c) => aacTrack(c));
      case SoundFormat.legacyOpus:
        return this.#packetised(body, timestampMs, "Opus", (c) => opusTrack(0, c));
      case SoundFormat.pcma:
      case SoundFormat.pcmu: {
        const codec = format === SoundFormat.pcma ? "pcma" : "pcmu";
        const channels = body[0] & 1 ? 2 : 1;
        // G.711 in FLV is 8 kHz whatever the rate bits say (ffmpeg writes 0, "5.5 kHz").
        const a = this.#audio;
        if (a?.codec !== codec || a.channels !== channels) this.#setAudio(g711Track(codec, 8000, channels));
        return this.#audioFrame(timestampMs, body.subarray(1));
      }
      case SoundFormat.mp3:
      case SoundFormat.mp3_8k:
        return this.#mp3(body.subarray(1), timestampMs);
      default:
        throw new ProtocolError(
          `FLV SoundFormat ${format} is unsupported: must be 2 (MP3), 7/8 (G.711), 9 (enhanced), 10 (AAC), 13 (Opus) or 14`,
        );
    }
  }

  // AAC and the non-standard legacy Opus share the AACPacketType byte: 0 config, 1 raw frame.
  #packetised(
    body: Uint8Array,
    ts: number,
    name: string,
    make: (config: Uint8Array) => AudioTrack,
  ): Frame | null {
    need(body, 2, `FLV ${name} audio tag`);
    const payload = body.subarray(2);
    const codec = name === "AAC" ? "aac" : "opus";
    if (body[1] === 0) {
      this.#setAudioConfig(payload, make);
      return null;
    }
    if (body[1] !== 1) {
      throw new ProtocolError(
        `FLV ${name} packet type ${body[1]} is invalid: must be 0 (sequence header) or 1 (raw)`,
      );
    }
    if (codec === "opus" && this.#audio?.codec !== "opus") this.#setAudio(opusFromToc(payload));
    if (this.#audio?.codec !== codec || payload.length === 0) return null;
    return this.#audioFrame(ts, payload);
  }

  #exAudio(body: Uint8Array, ts: number): Frame | null {
    const t = readExTracks(body, body[0] & 0xf, AudioPacketType.multitrack, "audio");
    const p = t.payload;
    const fourCc = t.fourCc;
    if (fourCc !== FourCc.opus && fourCc !== FourCc.mp4a && fourCc !== FourCc.mp3) {
      throw unsupportedFourCc("audio", fourCc, "Opus, mp4a or .mp3");
    }
    switch (t.packetType) {
      case AudioPacketType.sequenceStart:
        if (fourCc === FourCc.mp4a) this.#setAudioConfig(p, aacTrack);
        // Opus may send the comment header too; only the ID header configures the track.
        else if (fourCc === FourCc.opus && isOpusHead(p)) this.#setAudioConfig(p, (c) => opusTrack(0, c));
        return null;
      case AudioPacketType.codedFrames:
        if (p.length === 0) return null;
        if (fourCc === FourCc.mp3) return this.#mp3(p, ts);
        if (fourCc === FourCc.opus && this.#audio?.codec !== "opus") this.#setAudio(opusFromToc(p));
        if (this.#audio?.codec !== (fourCc === FourCc.opus ? "opus" : "aac")) return null;
        return this.#audioFrame(ts, p);
      case AudioPacketType.sequenceEnd:
      case AudioPacketType.multichannelConfig:
        return null;
      default:
        throw new ProtocolError(
          `Enhanced AudioPacketType ${t.packetType} is invalid: must be 0, 1, 2, 4 or 5`,
        );
    }
  }

  #mp3(data: Uint8Array, ts: number): Frame | null {
    if (data.length === 0) return null;
    const h = parseMpegAudioHeader(data);
    const a = this.#audio;
    if (a?.codec !== "mp3" || a.sampleRate !== h.sampleRate || a.channels !== h.channels) {
      this.#setAudio(mp3Track(h));
    }
    return this.#audioFrame(ts, data);
  }

  #setAudioConfig(config: Uint8Array, make: (config: Uint8Array) => AudioTrack): void {
    if (this.#audio && this.#audioConfig && bytesEqual(this.#audioConfig, config)) return;
    const copy = config.slice();
    this.#audio = make(copy);
    this.#audioConfig = copy;
  }

  #setAudio(track: AudioTrack): void {
    this.#audio = track;
    this.#audioConfig = undefined;
  }

  #audioFrame(ts: number, data: Uint8Array): Frame {
    const track = this.#audio!;
    const dts = Math.round((ts * track.clockRate) / 1000);
    return { track, dts, pts: dts, key: true, data };
  }
}

function codecOfVideoFourCc(fourCc: number): "h264" | "h265" | "av1" | "vp9" | "vp8" {
  switch (fourCc) {
    case FourCc.avc1:
      return "h264";
    case FourCc.hvc1:
      return "h265";
    case FourCc.av01:
      return "av1";
    case FourCc.vp09:
      return "vp9";
    case FourCc.vp08:
      return "vp8";
    default:
      throw unsupportedFourCc("video", fourCc, "avc1, hvc1, av01, vp09 or vp08");
  }
}

function isOpusHead(p: Uint8Array): boolean {
  return p.length >= 8 && String.fromCharCode(...p.subarray(0, 8)) === "OpusHead";
}

// Without an OpusHead, the TOC's stereo bit (RFC 6716 §3.1) is the best channel hint.
function opusFromToc(packet: Uint8Array): AudioTrack {
  return opusTrack(packet.length > 0 && packet[0] & 4 ? 2 : 1);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
