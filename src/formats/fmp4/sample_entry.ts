/**
 * Sample entries for stsd: VisualSampleEntry (avc1/hvc1/av01/vp08/vp09 with avcC/hvcC/av1C/vpcC,
 * ISO/IEC 14496-15 and the AV1/VP codec bindings) and AudioSampleEntry (mp4a with esds,
 * ISO/IEC 14496-14; Opus with dOps, "Encapsulation of Opus in ISO BMFF").
 */
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { buildAvcc, buildVpcc, parseOpusHead } from "../../codecs/mod.ts";
import { box, concatBytes, fullBox, u16, u24, u32, u8, zeros } from "./box.ts";

/** True when this module can describe the track in MP4 (not G.711). */
export function fmp4Carries(track: Track): boolean {
  return ["h264", "h265", "av1", "vp8", "vp9", "aac", "opus", "mp3"].includes(track.codec);
}

export function sampleEntry(track: Track, trackId: number): Uint8Array {
  return track.kind === "video" ? visualEntry(track) : audioEntry(track, trackId);
}

function visualEntry(track: VideoTrack): Uint8Array {
  let type: string;
  let config: Uint8Array;
  switch (track.codec) {
    case "h264":
      [type, config] = ["avc1", box("avcC", buildAvcc(track.sps, track.pps))];
      break;
    case "h265":
      [type, config] = ["hvc1", box("hvcC", track.hvcc)];
      break;
    case "av1":
      [type, config] = ["av01", box("av1C", track.config)];
      break;
    case "vp8":
    case "vp9":
      [type, config] = [track.codec === "vp8" ? "vp08" : "vp09", box("vpcC", vpccPayload(track))];
      break;
  }
  const compressor = zeros(32);
  return box(
    type,
    zeros(6),
    u16(1), // data_reference_index
    zeros(16), // pre_defined, reserved
    u16(track.width),
    u16(track.height),
    u32(0x00480000), // 72 dpi
    u32(0x00480000),
    u32(0),
    u16(1), // frame_count
    compressor,
    u16(0x0018), // depth
    u16(0xffff), // pre_defined = -1
    config,
  );
}

// vpcC is a FullBox (version 1); a track's config may or may not carry that header.
function vpccPayload(track: VideoTrack & { codec: "vp8" | "vp9" }): Uint8Array {
  const c = track.codec === "vp9" ? track.config : undefined;
  if (!c) return buildVpcc({ profile: 0 });
  const hasHeader = c.length >= 12 && c[0] === 1 && c[1] === 0 && c[2] === 0 && c[3] === 0;
  return hasHeader ? c : concatBytes([Uint8Array.of(1, 0, 0, 0), c]);
}

function audioEntry(track: AudioTrack, trackId: number): Uint8Array {
  let type: string;
  let config: Uint8Array;
  switch (track.codec) {
    case "aac":
      [type, config] = ["mp4a", esds(trackId, 0x40, track.config)];
      break;
    case "mp3":
      [type, config] = ["mp4a", esds(trackId, 0x6b)];
      break;
    case "opus":
      [type, config] = ["Opus", dops(track.channels, track.head)];
      break;
    default:
      throw new RangeError(`codec ${track.codec} cannot be described in MP4 here`);
  }
  const rate = track.sampleRate <= 0xffff ? track.sampleRate * 0x10000 : 0;
  return box(
    type,
    zeros(6),
    u16(1), // data_reference_index
    zeros(8), // reserved (version 0)
    u16(track.channels),
    u16(16), // samplesize
    u32(0), // pre_defined, reserved
    u32(rate), // 16.16
    config,
  );
}

/** An MPEG-4 descriptor: tag, then the size in 7-bit groups. */
function descriptor(tag: number, ...payload: Uint8Array[]): Uint8Array {
  const body = concatBytes(payload);
  const len: number[] = [];
  let n = body.length;
  do {
    len.unshift((n & 0x7f) | (len.length ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return concatBytes([u8(tag), Uint8Array.from(len), body]);
}

/** esds with ES_Descriptor → DecoderConfigDescriptor (→ DecoderSpecificInfo) + SLConfigDescriptor. */
function esds(esId: number, objectType: number, dsi?: Uint8Array): Uint8Array {
  const decoderConfig = descriptor(
    0x04,
    u8(objectType),
    u8(0x15), // streamType audio (5) << 2 | reserved 1
    u24(0), // bufferSizeDB
    u32(0), // maxBitrate
    u32(0), // avgBitrate
    ...(dsi ? [descriptor(0x05, dsi)] : []),
  );
  return fullBox("esds", 0, 0, descriptor(0x03, u16(esId), u8(0), decoderConfig, descriptor(0x06, u8(0x02))));
}

/** dOps: the OpusHead fields, big-endian, without the magic (Opus-in-ISOBMFF §4.3.2). */
function dops(channels: number, head?: Uint8Array): Uint8Array {
  const h = head ? parseOpusHead(head) : undefined;
  const family = h?.mappingFamily ?? 0;
  const parts = [
    u8(0), // Version
    u8(h?.channels ?? channels),
    u16(h?.preSkip ?? 0),
    u32(h?.inputSampleRate ?? 48000),
    u16(h?.outputGain ?? 0),
    u8(family),
  ];
  if (family !== 0 && h?.channelMapping) {
    parts.push(u8(h.streamCount ?? 1), u8(h.coupledCount ?? 0), h.channelMapping);
  }
  return box("dOps", ...parts);
}
