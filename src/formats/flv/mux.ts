import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { ctsMs, type Frame } from "../../core/frame.ts";
import { concat, writeU24, writeU32 } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";
import { buildAvcc, buildOpusHead, buildVpcc } from "../../codecs/mod.ts";
import {
  AudioPacketType,
  AvcPacketType,
  FourCc,
  SoundFormat,
  VideoCodecId,
  VideoFrameType,
  VideoPacketType,
} from "./codec_id.ts";

/** "legacy": FLV v10 codec ids (AVC 7, HEVC by `hevcCodecId`); "enhanced": E-RTMP FourCC headers. */
export type FlvVideoForm = "legacy" | "enhanced";

export interface FlvMuxOptions {
  /** Legacy codec id for HEVC (smart_rtmpd `codech265`, default 12). */
  hevcCodecId?: number;
}

/** True for codecs that have no legacy FLV form (AV1, VP8, VP9, Opus). */
export function needsEnhanced(track: Track): boolean {
  return track.codec === "av1" || track.codec === "vp8" || track.codec === "vp9" || track.codec === "opus";
}

function videoFourCc(track: VideoTrack): number {
  switch (track.codec) {
    case "h264":
      return FourCc.avc1;
    case "h265":
      return FourCc.hvc1;
    case "av1":
      return FourCc.av01;
    case "vp9":
      return FourCc.vp09;
    case "vp8":
      return FourCc.vp08;
  }
}

function videoConfig(track: VideoTrack): Uint8Array {
  switch (track.codec) {
    case "h264":
      return buildAvcc(track.sps, track.pps);
    case "h265":
      return track.hvcc;
    case "av1":
      return track.config;
    case "vp9":
      return track.config ?? buildVpcc({ profile: 0 });
    case "vp8":
      return buildVpcc({ profile: 0 });
  }
}

function useEnhanced(track: VideoTrack, form: FlvVideoForm): boolean {
  return form === "enhanced" || needsEnhanced(track);
}

function legacyCodecId(track: VideoTrack, opts?: FlvMuxOptions): number {
  return track.codec === "h264" ? VideoCodecId.avc : opts?.hevcCodecId ?? VideoCodecId.hevcDefault;
}

/** The codec id a tag of this form carries: the legacy number, or the FourCC as a number. */
export function videoCodecId(track: VideoTrack, form: FlvVideoForm, opts?: FlvMuxOptions): number {
  return useEnhanced(track, form) ? videoFourCc(track) : legacyCodecId(track, opts);
}

/**
 * The sequence header (decoder configuration) tag body for a video track.
 * Codecs without a legacy form (AV1, VP8, VP9) always use the enhanced form.
 */
export function videoSequenceBody(track: VideoTrack, form: FlvVideoForm, opts?: FlvMuxOptions): Uint8Array {
  const config = videoConfig(track);
  if (useEnhanced(track, form)) {
    const out = new Uint8Array(5 + config.length);
    out[0] = 0x80 | (VideoFrameType.key << 4) | VideoPacketType.sequenceStart;
    writeU32(out, 1, videoFourCc(track));
    out.set(config, 5);
    return out;
  }
  const out = new Uint8Array(5 + config.length);
  out[0] = (VideoFrameType.key << 4) | legacyCodecId(track, opts);
  out[1] = AvcPacketType.sequenceHeader;
  out.set(config, 5);
  return out;
}

/** End-of-sequence tag body (sent when a publisher stops or its parameters change). */
export function videoEndBody(track: VideoTrack, form: FlvVideoForm, opts?: FlvMuxOptions): Uint8Array {
  if (useEnhanced(track, form)) {
    const out = new Uint8Array(5);
    out[0] = 0x80 | (VideoFrameType.key << 4) | VideoPacketType.sequenceEnd;
    writeU32(out, 1, videoFourCc(track));
    return out;
  }
  return new Uint8Array([
    (VideoFrameType.key << 4) | legacyCodecId(track, opts),
    AvcPacketType.endOfSequence,
    0,
    0,
    0,
  ]);
}

/**
 * The bytes that precede `frame.data` in a video tag body, so that senders can write header and
 * payload without copying the payload. `videoFrameBody` joins them.
 */
export function videoFrameHeader(frame: Frame, form: FlvVideoForm, opts?: FlvMuxOptions): Uint8Array {
  const track = frame.track as VideoTrack;
  const frameType = frame.key ? VideoFrameType.key : VideoFrameType.inter;
  const cts = track.codec === "h264" || track.codec === "h265" ? ctsMs(frame) : 0;
  if (cts < -0x800000 || cts > 0x7fffff) {
    throw new ProtocolError(`FLV CompositionTime ${cts} ms is invalid: must fit a signed 24-bit integer`);
  }
  if (useEnhanced(track, form)) {
    // AVC/HEVC with a zero offset use CodedFramesX; AV1/VPx CodedFrames carry no offset at all.
    const nal = track.codec === "h264" || track.codec === "h265";
    const withCts = nal && cts !== 0;
    const out = new Uint8Array(withCts ? 8 : 5);
    out[0] = 0x80 | (frameType << 4) |
      (nal && !withCts ? VideoPacketType.codedFramesX : VideoPacketType.codedFrames);
    writeU32(out, 1, videoFourCc(track));
    if (withCts) writeU24(out, 5, cts);
    return out;
  }
  const out = new Uint8Array(5);
  out[0] = (frameType << 4) | legacyCodecId(track, opts);
  out[1] = AvcPacketType.nalu;
  writeU24(out, 2, cts);
  return out;
}

/** A whole video tag body for one frame (header + a copy of the data). */
export function videoFrameBody(frame: Frame, form: FlvVideoForm, opts?: FlvMuxOptions): Uint8Array {
  return concat([videoFrameHeader(frame, form, opts), frame.data]);
}

// SoundRate bits: 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz; nearest not above.
function rateBits(rate: number): number {
  return rate >= 44100 ? 3 : rate >= 22050 ? 2 : rate >= 11025 ? 1 : 0;
}

function soundByte(format: number, track: AudioTrack): number {
  // 16-bit sample size as ffmpeg writes for every format here; the size bit is informational.
  return (format << 4) | (rateBits(track.sampleRate) << 2) | 2 | (track.channels > 1 ? 1 : 0);
}

/** The audio sequence header tag body, or null when the codec has none (G.711, MP3). */
export function audioSequenceBody(track: AudioTrack): Uint8Array | null {
  switch (track.codec) {
    case "aac":
      // AAC tags always say 44 kHz stereo: the AudioSpecificConfig is authoritative.
      return concat([Uint8Array.of(0xaf, 0), track.config]);
    case "opus": {
      const head = track.head ?? buildOpusHead({ channels: track.channels });
      return concat([exAudioHeader(AudioPacketType.sequenceStart, FourCc.opus), head]);
    }
    default:
      return null;
  }
}

/** The bytes that precede `frame.data` in an audio tag body. */
export function audioFrameHeader(frame: Frame): Uint8Array {
  const track = frame.track as AudioTrack;
  switch (track.codec) {
    case "aac":
      return Uint8Array.of(0xaf, 1);
    case "pcma":
    case "pcmu":
      // ffmpeg writes the 5.5 kHz code for 8 kHz G.711, and readers assume 8 kHz.
      return Uint8Array.of(
        ((track.codec === "pcma" ? SoundFormat.pcma : SoundFormat.pcmu) << 4) | 2 |
          (track.channels > 1 ? 1 : 0),
      );
    case "mp3":
      return Uint8Array.of(soundByte(SoundFormat.mp3, track));
    case "opus":
      return exAudioHeader(AudioPacketType.codedFrames, FourCc.opus);
  }
}

/** A whole audio tag body for one frame (header + a copy of the data). */
export function audioFrameBody(frame: Frame): Uint8Array {
  return concat([audioFrameHeader(frame), frame.data]);
}

function exAudioHeader(packetType: number, fourCc: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = (SoundFormat.exHeader << 4) | packetType;
  writeU32(out, 1, fourCc);
  return out;
}
