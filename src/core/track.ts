/**
 * A Track describes one elementary stream and its decoder configuration.
 * Tracks are immutable: a parameter change in-band (a new SPS, a new AudioSpecificConfig)
 * produces a new Track object, so readers notice a change by identity (`frame.track !== last`).
 */

export type VideoCodec = "h264" | "h265" | "av1" | "vp8" | "vp9";
export type AudioCodec = "aac" | "opus" | "pcma" | "pcmu" | "mp3";
export type Codec = VideoCodec | AudioCodec;

interface VideoBase {
  readonly kind: "video";
  /** Always 90000: video dts/pts are in 90 kHz ticks. */
  readonly clockRate: 90000;
  readonly width: number;
  readonly height: number;
  /** Frames per second when the bitstream or container signals it; 0 when unknown. */
  readonly fps: number;
}

export interface H264Track extends VideoBase {
  readonly codec: "h264";
  readonly sps: Uint8Array;
  readonly pps: readonly Uint8Array[];
  /** profile_idc, constraint flags byte and level_idc, as in avcC and `avc1.PPCCLL`. */
  readonly profile: number;
  readonly compat: number;
  readonly level: number;
}

export interface H265Track extends VideoBase {
  readonly codec: "h265";
  readonly vps: Uint8Array;
  readonly sps: Uint8Array;
  readonly pps: readonly Uint8Array[];
  /** general_profile_idc and general_level_idc (level is 30 × level number, e.g. 93 = 3.1). */
  readonly profile: number;
  readonly level: number;
  /** The full HEVCDecoderConfigurationRecord (hvcC), for MP4/FLV muxing and `hvc1.*` strings. */
  readonly hvcc: Uint8Array;
}

export interface Av1Track extends VideoBase {
  readonly codec: "av1";
  /** AV1CodecConfigurationRecord (av1C). */
  readonly config: Uint8Array;
}

export interface Vp8Track extends VideoBase {
  readonly codec: "vp8";
}

export interface Vp9Track extends VideoBase {
  readonly codec: "vp9";
  /** VPCodecConfigurationRecord (vpcC) when the source supplied one. */
  readonly config?: Uint8Array;
}

interface AudioBase {
  readonly kind: "audio";
  /** Audio dts/pts are in samples: clockRate equals the sample rate (48000 for Opus). */
  readonly clockRate: number;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface AacTrack extends AudioBase {
  readonly codec: "aac";
  /** AudioSpecificConfig bytes. */
  readonly config: Uint8Array;
  /** audioObjectType (2 = AAC-LC, 5 = SBR/HE-AAC, 29 = PS). */
  readonly objectType: number;
}

export interface OpusTrack extends AudioBase {
  readonly codec: "opus";
  readonly clockRate: 48000;
  /** OpusHead (RFC 7845) when the source supplied one. */
  readonly head?: Uint8Array;
}

export interface G711Track extends AudioBase {
  readonly codec: "pcma" | "pcmu";
}

export interface Mp3Track extends AudioBase {
  readonly codec: "mp3";
}

export type VideoTrack = H264Track | H265Track | Av1Track | Vp8Track | Vp9Track;
export type AudioTrack = AacTrack | OpusTrack | G711Track | Mp3Track;
export type Track = VideoTrack | AudioTrack;

export function isVideo(t: Track): t is VideoTrack {
  return t.kind === "video";
}

export function isAudio(t: Track): t is AudioTrack {
  return t.kind === "audio";
}
