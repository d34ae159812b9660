/**
 * Frames → RTP packets for one track, with its own SSRC, sequence numbers and timestamp base.
 * Built once per track per stream: every player of that stream shares the bytes.
 */
import { ProtocolError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { splitAvcc } from "../../codecs/nal.ts";
import { h264Payloads } from "./h264.ts";
import { h265Payloads } from "./h265.ts";
import { aacPayloads } from "./aac.ts";
import { vp8Payloads } from "./vp8.ts";
import { vp9Payloads } from "./vp9.ts";
import { av1Payloads } from "./av1.ts";
import { RTP_HEADER_SIZE, writeRtpHeader } from "./packet.ts";

export interface PacketizerOptions {
  payloadType: number;
  ssrc: number;
  /** Largest RTP packet (header + payload) in bytes, e.g. 1460 from `<rtp size>`. */
  mtu: number;
  sequence?: number;
  timestampBase?: number;
}

/** The codecs RTSP describes and carries over RTP (WebRTC adds VP8, VP9 and AV1: `packetizes`). */
export function canPacketize(track: Track): boolean {
  return ["h264", "h265", "vp8", "vp9", "aac", "opus", "pcma", "pcmu"].includes(track.codec);
}

/** Every codec this module packetizes. */
export function packetizes(track: Track): boolean {
  return canPacketize(track) || track.codec === "av1";
}

const MOD32 = 4294967296;

export class RtpPacketizer {
  readonly payloadType: number;
  readonly ssrc: number;
  readonly timestampBase: number;
  readonly clockRate: number;
  #maxPayload: number;
  #seq: number;
  /** VP8/VP9 PictureID of the next frame (15 bits, wrapping). */
  #pictureId = 0;
  /** Totals for RTCP sender reports. */
  packetCount = 0;
  octetCount = 0;

  constructor(track: Track, opts: PacketizerOptions) {
    if (!packetizes(track)) throw new ProtocolError(`RTP packetizing of ${track.codec} is unsupported`);
    if (opts.mtu < 64 || opts.mtu > 65535) {
      throw new ProtocolError(`RTP packet size ${opts.mtu} is invalid: must be 64..65535`);
    }
    this.payloadType = opts.payloadType;
    this.ssrc = opts.ssrc >>> 0;
    this.clockRate = track.clockRate;
    this.#maxPayload = opts.mtu - RTP_HEADER_SIZE;
    this.#seq = (opts.sequence ?? 0) & 0xffff;
    this.timestampBase = (opts.timestampBase ?? 0) >>> 0;
  }

  /** The sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#seq;
  }

  /** RTP timestamp for a time in the track's clock. */
  timestamp(t: number): number {
    const v = (this.timestampBase + t) % MOD32;
    return v < 0 ? v + MOD32 : v;
  }

  /**
   * All packets of one frame in one buffer, each behind a 4-byte interleaved header
   * (`$`, channel, length) as RTSP over TCP carries them. Empty when the frame yields nothing.
   */
  interleaved(frame: Frame, channel: number): Uint8Array {
    const payloads = this.#payloads(frame);
    const t = frame.track;
    let size = 0;
    for (const p of payloads) size += 4 + RTP_HEADER_SIZE + p.length;
    const out = new Uint8Array(size);
    const ts = this.timestamp(frame.pts);
    const video = t.kind === "video";
    const g711 = t.codec === "pcma" || t.codec === "pcmu";
    let o = 0;
    let samples = 0;
    for (let i = 0; i < payloads.length; i++) {
      const p = payloads[i];
      const len = RTP_HEADER_SIZE + p.length;
      out[o] = 0x24;
      out[o + 1] = channel;
      out[o + 2] = len >> 8;
      out[o + 3] = len & 0xff;
      const last = i === payloads.length - 1;
      writeRtpHeader(out, o + 4, {
        payloadType: this.payloadType,
        marker: video ? last : t.codec === "aac" ? last : false,
        sequence: this.#seq,
        timestamp: g711 ? this.timestamp(frame.pts + samples) : ts,
        ssrc: this.ssrc,
      });
      out.set(p, o + 4 + RTP_HEADER_SIZE);
      if (g711) samples += p.length / (t as { channels: number }).channels;
      this.#seq = (this.#seq + 1) & 0xffff;
      this.packetCount++;
      this.octetCount += p.length;
      o += 4 + len;
    }
    return out;
  }

  /** Plain RTP packets of one frame (views, for UDP). */
  packets(frame: Frame): Uint8Array[] {
    const buf = this.interleaved(frame, 0);
    const out: Uint8Array[] = [];
    for (let o = 0; o < buf.length;) {
      const len = (buf[o + 2] << 8) | buf[o + 3];
      out.push(buf.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
    return out;
  }

  #nextPictureId(): number {
    const id = this.#pictureId;
    this.#pictureId = (id + 1) & 0x7fff;
    return id;
  }

  #payloads(frame: Frame): Uint8Array[] {
    const t = frame.track;
    const max = this.#maxPayload;
    switch (t.codec) {
      case "h264": {
        const nals = splitAvcc(frame.data);
        if (frame.key && !nals.some((n) => (n[0] & 0x1f) === 7)) nals.unshift(t.sps, ...t.pps);
        return h264Payloads(nals, max);
      }
      case "h265": {
        const nals = splitAvcc(frame.data);
        if (frame.key && !nals.some((n) => ((n[0] >> 1) & 0x3f) === 33)) nals.unshift(t.vps, t.sps, ...t.pps);
        return h265Payloads(nals, max);
      }
      case "vp8":
        return vp8Payloads(frame.data, max, this.#nextPictureId());
      case "vp9":
        return vp9Payloads(frame.data, max, {
          key: frame.key,
          pictureId: this.#nextPictureId(),
          width: t.width,
          height: t.height,
        });
      case "av1":
        return av1Payloads(frame.data, max);
      case "aac":
        return aacPayloads(frame.data, max);
      case "opus":
        return [frame.data];
      case "pcma":
      case "pcmu": {
        // Keep whole sample groups in each packet so every packet's timestamp is exact.
        const step = max - (max % t.channels);
        const out: Uint8Array[] = [];
        for (let o = 0; o < frame.data.length; o += step) out.push(frame.data.subarray(o, o + step));
        return out;
      }
      default:
        return [];
    }
  }
}
