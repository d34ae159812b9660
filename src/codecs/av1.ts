import type { Av1Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { BitReader } from "./bit_reader.ts";
import { roundFps } from "./h264.ts";

export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;

export interface Av1Config {
  profile: number;
  level: number;
  tier: number;
  bitDepth: number;
  monochrome: boolean;
  chromaSubsamplingX: number;
  chromaSubsamplingY: number;
  chromaSamplePosition: number;
  /** configOBUs: normally one sequence header OBU. */
  configObus: Uint8Array;
}

/** Parses an AV1CodecConfigurationRecord (av1C). */
export function parseAv1c(av1c: Uint8Array): Av1Config {
  if (av1c.length < 4 || av1c[0] !== 0x81) {
    throw new ProtocolError(
      `av1C of ${av1c.length} bytes starting 0x${
        (av1c[0] ?? 0).toString(16)
      } is invalid: must be ≥ 4 bytes starting 0x81`,
    );
  }
  const b2 = av1c[2];
  return {
    profile: av1c[1] >> 5,
    level: av1c[1] & 0x1f,
    tier: b2 >> 7,
    bitDepth: b2 & 0x40 ? (b2 & 0x20 ? 12 : 10) : 8,
    monochrome: (b2 & 0x10) !== 0,
    chromaSubsamplingX: (b2 >> 3) & 1,
    chromaSubsamplingY: (b2 >> 2) & 1,
    chromaSamplePosition: b2 & 3,
    configObus: av1c.subarray(4),
  };
}

export interface Av1SequenceHeader {
  profile: number;
  level: number;
  tier: number;
  width: number;
  height: number;
  /** From timing_info when present; 0 otherwise. */
  fps: number;
  bitDepth: number;
  monochrome: boolean;
  chromaSubsamplingX: number;
  chromaSubsamplingY: number;
  chromaSamplePosition: number;
}

export interface Obu {
  type: number;
  /** The whole OBU including its header. */
  bytes: Uint8Array;
  payload: Uint8Array;
}

/** Splits low-overhead-format OBUs (each with obu_has_size_field, except possibly the last). */
export function splitObus(data: Uint8Array): Obu[] {
  const obus: Obu[] = [];
  let o = 0;
  while (o < data.length) {
    const header = data[o];
    const type = (header >> 3) & 0xf;
    let p = o + 1 + ((header & 4) ? 1 : 0);
    let size = data.length - p;
    if (header & 2) {
      size = 0;
      for (let i = 0;; i++) {
        if (p >= data.length || i === 8) {
          throw new ProtocolError(`AV1 OBU size at offset ${o} is invalid: bad leb128`);
        }
        const b = data[p++];
        size += (b & 0x7f) * 2 ** (7 * i);
        if (!(b & 0x80)) break;
      }
    }
    if (p + size > data.length) {
      throw new ProtocolError(`AV1 OBU size ${size} at offset ${o} is invalid: runs past the buffer end`);
    }
    obus.push({ type, bytes: data.subarray(o, p + size), payload: data.subarray(p, p + size) });
    o = p + size;
  }
  return obus;
}

/** Parses a sequence_header_obu payload (AV1 spec 5.5) up to color_config. */
export function parseAv1SequenceHeader(payload: Uint8Array): Av1SequenceHeader {
  const r = new BitReader(payload);
  const profile = r.bits(3);
  r.skip(1); // still_picture
  const reduced = r.flag();
  let level = 0;
  let tier = 0;
  let fps = 0;
  if (reduced) {
    level = r.bits(5);
  } else {
    let decoderModelInfo = false;
    let bufferDelayLength = 0;
    if (r.flag()) { // timing_info_present_flag
      const unitsInTick = r.bits(32);
      const timeScale = r.bits(32);
      let ticksPerPicture = 1;
      if (r.flag()) ticksPerPicture = uvlc(r) + 1;
      if (unitsInTick > 0) fps = roundFps(timeScale / (unitsInTick * ticksPerPicture));
      decoderModelInfo = r.flag();
      if (decoderModelInfo) {
        bufferDelayLength = r.bits(5) + 1;
        r.skip(32 + 5 + 5);
      }
    }
    const initialDisplayDelay = r.flag();
    const points = r.bits(5) + 1;
    for (let i = 0; i < points; i++) {
      r.skip(12); // operating_point_idc
      const l = r.bits(5);
      const t = l > 7 ? r.bits(1) : 0;
      if (i === 0) [level, tier] = [l, t];
      if (decoderModelInfo && r.flag()) r.skip(2 * bufferDelayLength + 1);
      if (initialDisplayDelay && r.flag()) r.skip(4);
    }
  }
  const wBits = r.bits(4) + 1;
  const hBits = r.bits(4) + 1;
  const width = r.bits(wBits) + 1;
  const height = r.bits(hBits) + 1;
  if (!reduced && r.flag()) r.skip(7); // frame_id_numbers_present_flag → lengths
  r.skip(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
  if (!reduced) {
    r.skip(4); // interintra, masked compound, warped motion, dual filter
    const orderHint = r.flag();
    if (orderHint) r.skip(2);
    let forceScreenContentTools = 2;
    if (!r.flag()) forceScreenContentTools = r.bits(1);
    if (forceScreenContentTools > 0 && !r.flag()) r.skip(1);
    if (orderHint) r.skip(3);
  }
  r.skip(3); // enable_superres, enable_cdef, enable_restoration
  // color_config (5.5.2)
  const high = r.flag();
  const bitDepth = profile === 2 && high ? (r.flag() ? 12 : 10) : high ? 10 : 8;
  const monochrome = profile === 1 ? false : r.flag();
  let cp = 2, tc = 2, mc = 2;
  if (r.flag()) [cp, tc, mc] = [r.bits(8), r.bits(8), r.bits(8)];
  let sx = 1, sy = 1, pos = 0;
  if (monochrome) {
    r.skip(1);
  } else if (cp === 1 && tc === 13 && mc === 0) {
    sx = sy = 0;
  } else {
    r.skip(1); // color_range
    if (profile === 0) [sx, sy] = [1, 1];
    else if (profile === 1) [sx, sy] = [0, 0];
    else if (bitDepth === 12) {
      sx = r.bits(1);
      sy = sx ? r.bits(1) : 0;
    } else [sx, sy] = [1, 0];
    if (sx && sy) pos = r.bits(2);
  }
  return {
    profile,
    level,
    tier,
    width,
    height,
    fps,
    bitDepth,
    monochrome,
    chromaSubsamplingX: sx,
    chromaSubsamplingY: sy,
    chromaSamplePosition: pos,
  };
}

function uvlc(r: BitReader): number {
  let zeros = 0;
  while (!r.flag()) {
    if (++zeros >= 32) return 2 ** 32 - 1;
  }
  return r.bits(zeros) + 2 ** zeros - 1;
}

/** Finds and parses the sequence header OBU in a sequence of OBUs; undefined when none. */
export function findAv1SequenceHeader(obus: Uint8Array): Av1SequenceHeader | undefined {
  const seq = splitObus(obus).find((o) => o.type === OBU_SEQUENCE_HEADER);
  return seq ? parseAv1SequenceHeader(seq.payload) : undefined;
}

/** Builds an av1C record around a sequence header OBU (as carried in-band). */
export function buildAv1c(sequenceHeaderObu: Uint8Array): Av1Config & { bytes: Uint8Array } {
  const obu = splitObus(sequenceHeaderObu).find((o) => o.type === OBU_SEQUENCE_HEADER);
  if (!obu) throw new ProtocolError("AV1 config OBUs are invalid: no sequence header OBU");
  const s = parseAv1SequenceHeader(obu.payload);
  const bytes = new Uint8Array(4 + obu.bytes.length);
  bytes[0] = 0x81;
  bytes[1] = (s.profile << 5) | s.level;
  bytes[2] = (s.tier << 7) | (s.bitDepth > 8 ? 0x40 : 0) | (s.bitDepth === 12 ? 0x20 : 0) |
    (s.monochrome ? 0x10 : 0) | (s.chromaSubsamplingX << 3) | (s.chromaSubsamplingY << 2) |
    s.chromaSamplePosition;
  bytes[3] = 0;
  bytes.set(obu.bytes, 4);
  return { ...parseAv1c(bytes), bytes };
}

/** Builds an immutable Av1Track; width/height/fps come from the sequence header in av1C when not given. */
export function av1Track(config: Uint8Array, width?: number, height?: number): Av1Track {
  const c = parseAv1c(config);
  const seq = c.configObus.length > 0 ? findAv1SequenceHeader(c.configObus) : undefined;
  return {
    kind: "video",
    codec: "av1",
    clockRate: 90000,
    width: width ?? seq?.width ?? 0,
    height: height ?? seq?.height ?? 0,
    fps: seq?.fps ?? 0,
    config,
  };
}

/** True when a temporal unit starts a new coded video sequence (carries a sequence header OBU). */
export function isAv1Keyframe(data: Uint8Array): boolean {
  return splitObus(data).some((o) => o.type === OBU_SEQUENCE_HEADER);
}

/** Codecs string `av01.P.LLT.DD` (AV1 ISOBMFF binding). */
export function av1CodecString(t: { config: Uint8Array }): string {
  const c = parseAv1c(t.config);
  return `av01.${c.profile}.${String(c.level).padStart(2, "0")}${c.tier ? "H" : "M"}.${
    String(c.bitDepth).padStart(2, "0")
  }`;
}
