/**
 * Track + Frame → MPEG-TS. Each `mux(frame)` returns the frame's packets (preceded by PAT/PMT when
 * due) as ONE contiguous n × 188 byte array, so one frame costs one allocation and one copy.
 */
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { buildAdtsHeader } from "../../codecs/mod.ts";
import { rescaleTime } from "./_clock.ts";
import {
  packetCount,
  type PacketizeOptions,
  TS_PACKET_SIZE,
  writePackets,
  writePcrPacket,
} from "./packet.ts";
import {
  pesHeaderSize,
  STREAM_ID_AUDIO,
  STREAM_ID_PRIVATE_1,
  STREAM_ID_VIDEO,
  writePesHeader,
} from "./pes.ts";
import {
  DESCRIPTOR_EXTENSION,
  DESCRIPTOR_REGISTRATION,
  encodeDescriptors,
  encodePat,
  encodePmt,
  psiPacketCount,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
  writePsiPackets,
} from "./psi.ts";

export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x100;
export const PID_AUDIO = 0x101;
const PROGRAM_NUMBER = 1;

// Audio-only streams have no keyframes to hang PAT/PMT on: repeat them every second instead.
const AUDIO_ONLY_PSI_INTERVAL = 90000;
// 13818-1 §2.7.2 wants a PCR at least every 100 ms. Video frames carry one each; when video stalls
// (or audio runs ahead in bursts), a PCR-only packet follows the audio 100 ms behind, so the clock
// keeps going without overtaking frames still to come.
const PCR_STALL = 18000;
const PCR_LAG = 9000;

const EMPTY = new Uint8Array(0);
const START_CODE = new Uint8Array([0, 0, 0, 1]);
const H264_AUD = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]);
const H265_AUD = new Uint8Array([0, 0, 0, 1, 0x46, 0x01, 0x50]);

export interface TsMuxerOptions {
  readonly video?: VideoTrack;
  readonly audio?: AudioTrack;
}

interface Slot {
  track: Track;
  pid: number;
  streamType: number;
  streamId: number;
  descriptors: Uint8Array;
  cc: number;
  /** Video: AUD (and parameter sets for keyframes) in Annex B; audio: the ADTS header template. */
  prefix: Uint8Array;
  keyPrefix: Uint8Array;
}

/** True when the muxer can carry this track (H.264, H.265, AAC, Opus, MP3). */
export function tsCarries(track: Track): boolean {
  return ["h264", "h265", "aac", "opus", "mp3"].includes(track.codec);
}

export class TsMuxer {
  #video?: Slot;
  #audio?: Slot;
  #version = 0;
  #patCc = 0;
  #pmtCc = 0;
  #pat: Uint8Array;
  #pmt: Uint8Array;
  #psiDue = true;
  #lastPsi = -Infinity;
  #lastPcr = -Infinity;

  constructor(options: TsMuxerOptions = {}) {
    if (options.video) this.#assign(options.video);
    if (options.audio) this.#assign(options.audio);
    this.#pat = encodePat({
      transportStreamId: 1,
      version: 0,
      programs: [{ number: PROGRAM_NUMBER, pid: PID_PMT }],
    });
    this.#pmt = this.#buildPmt();
  }

  /** The tracks currently carried (video first). */
  get tracks(): Track[] {
    const out: Track[] = [];
    if (this.#video) out.push(this.#video.track);
    if (this.#audio) out.push(this.#audio.track);
    return out;
  }

  /** Adds or replaces the track of its kind; returns false (and ignores it) if TS cannot carry it. */
  setTrack(track: Track): boolean {
    if (!tsCarries(track)) return false;
    this.#assign(track);
    return true;
  }

  /**
   * PAT + PMT, for a new player or segment joining at any point. They repeat the continuity
   * counters of the last PAT/PMT written, so the shared stream's counters stay continuous.
   */
  header(): Uint8Array {
    const n = psiPacketCount(this.#pat.length) + psiPacketCount(this.#pmt.length);
    const out = new Uint8Array(n * TS_PACKET_SIZE);
    const patCc = this.#lastPsi === -Infinity ? this.#patCc : (this.#patCc + 15) & 15;
    const pmtCc = this.#lastPsi === -Infinity ? this.#pmtCc : (this.#pmtCc + 15) & 15;
    this.#writePsi(out, 0, patCc, pmtCc);
    return out;
  }

  /** Packets for one frame; empty when its track cannot be carried. */
  mux(frame: Frame): Uint8Array {
    const track = frame.track;
    let slot = track.kind === "video" ? this.#video : this.#audio;
    if (!slot || slot.track !== track) {
      if (!this.setTrack(track)) return EMPTY;
      slot = track.kind === "video" ? this.#video! : this.#audio!;
    }
    const video = track.kind === "video";
    const dts = video ? frame.dts : rescaleTime(frame.dts, track.clockRate, 90000);
    const pts = video ? frame.pts : rescaleTime(frame.pts, track.clockRate, 90000);
    const key = video && frame.key;

    const pcrSlot = this.#video ?? this.#audio!;
    if (key || (!this.#video && dts - this.#lastPsi >= AUDIO_ONLY_PSI_INTERVAL)) this.#psiDue = true;
    let pcr: number | undefined;
    let pcrOnly = false;
    if (slot === pcrSlot) {
      pcr = Math.max(dts, this.#lastPcr);
      this.#lastPcr = pcr;
    } else if (this.#lastPcr !== -Infinity && dts - this.#lastPcr > PCR_STALL) {
      this.#lastPcr = dts - PCR_LAG;
      pcrOnly = true;
    }

    const parts = this.#payload(slot, frame, key);
    let size = 0;
    for (let i = 1; i < parts.length; i++) size += parts[i].length;
    const pes = new Uint8Array(pesHeaderSize({ pts, dts }));
    writePesHeader(pes, 0, { streamId: slot.streamId, pts, dts, payloadLength: size });
    parts[0] = pes;
    size += pes.length;

    const opts: PacketizeOptions = {
      pid: slot.pid,
      cc: slot.cc,
      pcr: pcr === undefined ? undefined : pcr * 300,
      randomAccess: key || !this.#video,
    };
    const psiSize = this.#psiDue ? (psiPacketCount(this.#pat.length) + psiPacketCount(this.#pmt.length)) : 0;
    const total = psiSize + (pcrOnly ? 1 : 0) + packetCount(size, opts);
    const out = new Uint8Array(total * TS_PACKET_SIZE);
    let o = 0;
    if (this.#psiDue) {
      o = this.#writePsi(out, 0, this.#patCc, this.#pmtCc);
      this.#patCc = (this.#patCc + psiPacketCount(this.#pat.length)) & 15;
      this.#pmtCc = (this.#pmtCc + psiPacketCount(this.#pmt.length)) & 15;
      this.#psiDue = false;
      this.#lastPsi = dts;
    }
    if (pcrOnly) {
      writePcrPacket(out, o, pcrSlot.pid, (pcrSlot.cc + 15) & 15, this.#lastPcr * 300);
      o += TS_PACKET_SIZE;
    }
    slot.cc = writePackets(out, o, parts, opts);
    return out;
  }

  // parts[0] is left for the PES header.
  #payload(slot: Slot, frame: Frame, key: boolean): Uint8Array[] {
    const codec = slot.track.codec;
    const data = frame.data;
    if (codec === "h264" || codec === "h265") {
      const parts: Uint8Array[] = [EMPTY, key ? slot.keyPrefix : slot.prefix];
      const h264 = codec === "h264";
      for (let i = 0; i + 4 <= data.length;) {
        const len = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
        const start = i + 4;
        const end = Math.min(start + len, data.length);
        i = start + len;
        if (end <= start) continue;
        const type = h264 ? data[start] & 0x1f : (data[start] >> 1) & 0x3f;
        // Our own AUD leads; on keyframes our parameter sets lead, so drop in-band copies.
        if (
          h264
            ? type === 9 || (key && (type === 7 || type === 8))
            : type === 35 || (key && type >= 32 && type <= 34)
        ) {
          continue;
        }
        parts.push(START_CODE, data.subarray(start, end));
      }
      return parts;
    }
    if (codec === "aac") {
      const header = slot.prefix.slice();
      const len = data.length + 7;
      header[3] = (header[3] & 0xfc) | (len >> 11);
      header[4] = (len >> 3) & 0xff;
      header[5] = ((len & 7) << 5) | 0x1f;
      return [EMPTY, header, data];
    }
    if (codec === "opus") return [EMPTY, opusControlHeader(data.length), data];
    return [EMPTY, data];
  }

  #writePsi(out: Uint8Array, offset: number, patCc: number, pmtCc: number): number {
    writePsiPackets(out, offset, 0, this.#pat, patCc);
    const o = offset + psiPacketCount(this.#pat.length) * TS_PACKET_SIZE;
    writePsiPackets(out, o, PID_PMT, this.#pmt, pmtCc);
    return o + psiPacketCount(this.#pmt.length) * TS_PACKET_SIZE;
  }

  #assign(track: Track): void {
    const video = track.kind === "video";
    const old = video ? this.#video : this.#audio;
    const slot = describe(track, old?.cc ?? 0);
    if (video) this.#video = slot;
    else this.#audio = slot;
    const changed = !old || old.streamType !== slot.streamType ||
      !sameBytes(old.descriptors, slot.descriptors);
    if (changed && this.#pmt) {
      this.#version = (this.#version + 1) & 31;
      this.#pmt = this.#buildPmt();
      this.#psiDue = true;
    }
  }

  #buildPmt(): Uint8Array {
    const streams = [this.#video, this.#audio].filter((s): s is Slot => s !== undefined)
      .map((s) => ({ type: s.streamType, pid: s.pid, descriptors: s.descriptors }));
    const pcrPid = (this.#video ?? this.#audio)?.pid ?? 0x1fff;
    return encodePmt({ programNumber: PROGRAM_NUMBER, version: this.#version, pcrPid, streams });
  }
}

function describe(track: Track, cc: number): Slot {
  const base = { track, cc, descriptors: EMPTY, prefix: EMPTY, keyPrefix: EMPTY };
  switch (track.codec) {
    case "h264":
      return {
        ...base,
        pid: PID_VIDEO,
        streamType: STREAM_TYPE_H264,
        streamId: STREAM_ID_VIDEO,
        prefix: H264_AUD,
        keyPrefix: annexB([H264_AUD], [track.sps, ...track.pps]),
      };
    case "h265":
      return {
        ...base,
        pid: PID_VIDEO,
        streamType: STREAM_TYPE_H265,
        streamId: STREAM_ID_VIDEO,
        prefix: H265_AUD,
        keyPrefix: annexB([H265_AUD], [track.vps, track.sps, ...track.pps]),
      };
    case "aac":
      return {
        ...base,
        pid: PID_AUDIO,
        streamType: STREAM_TYPE_AAC_ADTS,
        streamId: STREAM_ID_AUDIO,
        prefix: buildAdtsHeader(track, 0),
      };
    case "opus":
      return {
        ...base,
        pid: PID_AUDIO,
        streamType: STREAM_TYPE_PRIVATE_PES,
        streamId: STREAM_ID_PRIVATE_1,
        descriptors: encodeDescriptors([
          { tag: DESCRIPTOR_REGISTRATION, data: new TextEncoder().encode("Opus") },
          {
            tag: DESCRIPTOR_EXTENSION,
            data: new Uint8Array([0x80, opusChannelConfig(track.channels, track.head)]),
          },
        ]),
      };
    case "mp3":
      return { ...base, pid: PID_AUDIO, streamType: STREAM_TYPE_MPEG1_AUDIO, streamId: STREAM_ID_AUDIO };
    default:
      throw new RangeError(`codec ${track.codec} cannot be carried in MPEG-TS`);
  }
}

function annexB(lead: Uint8Array[], nals: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const l of lead) size += l.length;
  for (const n of nals) size += 4 + n.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const l of lead) {
    out.set(l, o);
    o += l.length;
  }
  for (const n of nals) {
    out.set(START_CODE, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

/**
 * channel_config_code of the Opus audio descriptor: the channel count for mapping families 0/1
 * (up to 8), 0xFF otherwise. Without an OpusHead, family 0 is implied for 1–2 channels.
 */
function opusChannelConfig(channels: number, head?: Uint8Array): number {
  const family = head && head.length >= 19 ? head[18] : channels <= 2 ? 0 : 1;
  if ((family === 0 && channels <= 2) || (family === 1 && channels <= 8)) return channels;
  return 0xff;
}

/** opus_control_header: 0x3FF prefix, no trim or extension flags, au_size as 0xFF run + remainder. */
function opusControlHeader(size: number): Uint8Array {
  const out = new Uint8Array(3 + Math.floor(size / 255));
  out[0] = 0x7f;
  out[1] = 0xe0;
  let n = size;
  let i = 2;
  for (; n >= 255; n -= 255) out[i++] = 0xff;
  out[i] = n;
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
