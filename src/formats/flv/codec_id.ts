/** FLV/RTMP codec identifiers: legacy ids (FLV spec v10) and Enhanced RTMP FourCCs. */

export const VideoCodecId = { avc: 7, hevcDefault: 12 } as const;

export const VideoFrameType = { key: 1, inter: 2, disposable: 3, generatedKey: 4, command: 5 } as const;

/** AVCPacketType (legacy AVC/HEVC tags). */
export const AvcPacketType = { sequenceHeader: 0, nalu: 1, endOfSequence: 2 } as const;

/** Enhanced RTMP VideoPacketType. */
export const VideoPacketType = {
  sequenceStart: 0,
  codedFrames: 1,
  sequenceEnd: 2,
  codedFramesX: 3,
  metadata: 4,
  mpeg2TsSequenceStart: 5,
  multitrack: 6,
} as const;

export const SoundFormat = {
  mp3: 2,
  pcma: 7,
  pcmu: 8,
  exHeader: 9,
  aac: 10,
  /** Not in any spec, but used by some Chinese encoders/servers for Opus. */
  legacyOpus: 13,
  mp3_8k: 14,
} as const;

/** Enhanced RTMP AudioPacketType. */
export const AudioPacketType = {
  sequenceStart: 0,
  codedFrames: 1,
  sequenceEnd: 2,
  multichannelConfig: 4,
  multitrack: 5,
} as const;

export const AvMultitrackType = { oneTrack: 0, manyTracks: 1, manyTracksManyCodecs: 2 } as const;

/** FourCC as a big-endian 32-bit number (also what onMetaData's codec ids carry in E-RTMP). */
export function fourCc(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}

export function fourCcString(n: number): string {
  return String.fromCharCode(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export const FourCc = {
  avc1: fourCc("avc1"),
  hvc1: fourCc("hvc1"),
  av01: fourCc("av01"),
  vp09: fourCc("vp09"),
  vp08: fourCc("vp08"),
  opus: fourCc("Opus"),
  mp4a: fourCc("mp4a"),
  mp3: fourCc(".mp3"),
} as const;
