/**
 * RTP packets (in order, with loss marks) → access units for one track. Video units are cut on
 * the marker bit or a timestamp change; a unit that lost a packet is dropped together with
 * everything up to the next keyframe, so no corrupt picture reaches the hub.
 */
import { ProtocolError } from "../../core/errors.ts";
import type { AacTrack, H264Track, H265Track, Track, Vp8Track } from "../../core/track.ts";
import { joinAvcc } from "../../codecs/nal.ts";
import { h264Track } from "../../codecs/h264.ts";
import { h265Track } from "../../codecs/h265.ts";
import { aacFrameSamples } from "../../codecs/aac.ts";
import { parseVp8Frame, vp8Track } from "../../codecs/vp8.ts";
import { vp8Descriptor } from "./vp8.ts";
import { H264Unpacker } from "./h264.ts";
import { H265Unpacker } from "./h265.ts";
import { AAC_HBR, AacUnpacker, type AuHeaderLayout } from "./aac.ts";
import type { RtpPacket } from "./packet.ts";

/** An access unit in RTP time. `timestamp` is unwrapped (see TimestampUnwrapper). */
export interface RtpUnit {
  track: Track;
  timestamp: number;
  key: boolean;
  data: Uint8Array;
}

export interface DepacketizerStats {
  units: number;
  /** Units dropped: lost packets, broken fragments, or waiting for a keyframe. */
  dropped: number;
}

export interface Depacketizer {
  readonly stats: DepacketizerStats;
  /** The current track (video may learn it, or a new one, from in-band parameter sets). */
  readonly track: Track | undefined;
  push(p: RtpPacket, timestamp: number, lost: number, out: RtpUnit[]): void;
}

/** What the SDP said about a track: its codec, RTP clock and, when known, the track. */
export interface DepacketizerOptions {
  codec: string;
  rtpClock: number;
  track?: Track;
  aacLayout?: AuHeaderLayout;
}

export function createDepacketizer(o: DepacketizerOptions): Depacketizer {
  switch (o.codec) {
    case "h264":
      return new VideoDepacketizer("h264", o.track as H264Track | undefined);
    case "h265":
      return new VideoDepacketizer("h265", o.track as H265Track | undefined);
    case "vp8":
      return new Vp8Depacketizer();
    case "aac":
      return new AacDepacketizer(o.track as AacTrack, o.rtpClock, o.aacLayout ?? AAC_HBR);
    case "opus":
    case "pcma":
    case "pcmu":
      if (!o.track) throw new ProtocolError(`RTP ${o.codec} depacketizer needs a track`);
      return new PlainAudioDepacketizer(o.track);
    default:
      throw new ProtocolError(`RTP depacketizing of ${o.codec} is unsupported`);
  }
}

/** NAL units one access unit may hold before it is dropped as malformed. */
const MAX_NALS = 4096;

class VideoDepacketizer implements Depacketizer {
  readonly stats: DepacketizerStats = { units: 0, dropped: 0 };
  track: H264Track | H265Track | undefined;
  #codec: "h264" | "h265";
  #unpacker: H264Unpacker | H265Unpacker;
  #nals: Uint8Array[] = [];
  #ts = NaN;
  #corrupt = false;
  #waitKey = true;
  #vps: Uint8Array | undefined;
  #sps: Uint8Array | undefined;
  #pps: Uint8Array[] = [];

  constructor(codec: "h264" | "h265", track: H264Track | H265Track | undefined) {
    this.#codec = codec;
    this.track = track;
    this.#unpacker = codec === "h264" ? new H264Unpacker() : new H265Unpacker();
  }

  push(p: RtpPacket, ts: number, lost: number, out: RtpUnit[]): void {
    if (lost > 0) {
      this.#corrupt = true;
      this.#unpacker.reset();
    }
    if (ts !== this.#ts) {
      if (this.#nals.length > 0 || this.#corrupt) this.#finish(out);
      this.#ts = ts;
    }
    try {
      this.#unpacker.push(p.payload, this.#nals);
    } catch (err) {
      this.#corrupt = true;
      throw err;
    } finally {
      if (this.#unpacker.corrupt) {
        this.#unpacker.corrupt = false;
        this.#corrupt = true;
      }
    }
    if (p.marker) this.#finish(out);
    else if (this.#nals.length > MAX_NALS) {
      // No marker and no timestamp change for this long: not a sane access unit.
      this.#corrupt = true;
      this.#finish(out);
    }
  }

  #finish(out: RtpUnit[]): void {
    const nals = this.#nals;
    this.#nals = [];
    if (this.#corrupt) {
      this.#corrupt = false;
      this.#waitKey = true;
      this.#unpacker.reset();
      if (nals.length > 0) this.stats.dropped++;
      return;
    }
    if (nals.length === 0) return;
    const key = this.#scan(nals);
    if (!this.track || (this.#waitKey && !key)) {
      this.stats.dropped++;
      return;
    }
    this.#waitKey = false;
    this.stats.units++;
    out.push({ track: this.track, timestamp: this.#ts, key, data: joinAvcc(nals) });
  }

  /** Notes in-band parameter sets (a new track when they change); returns whether it is a keyframe. */
  #scan(nals: Uint8Array[]): boolean {
    let key = false, params = false;
    for (const n of nals) {
      if (this.#codec === "h264") {
        const t = n[0] & 0x1f;
        if (t === 5) key = true;
        else if (t === 7) (this.#sps = n, params = true);
        else if (t === 8) (this.#pps = [n], params = true);
      } else {
        const t = (n[0] >> 1) & 0x3f;
        if (t >= 16 && t <= 23) key = true;
        else if (t === 32) (this.#vps = n, params = true);
        else if (t === 33) (this.#sps = n, params = true);
        else if (t === 34) (this.#pps = [n], params = true);
      }
    }
    if (params) this.#updateTrack();
    return key;
  }

  #updateTrack(): void {
    const t = this.track;
    const sps = this.#sps, pps = this.#pps;
    if (!sps || pps.length === 0) return;
    try {
      if (this.#codec === "h264") {
        if (t?.codec === "h264" && same(t.sps, sps) && same(t.pps[0], pps[0])) return;
        this.track = h264Track(sps, pps);
      } else {
        const vps = this.#vps ?? (t?.codec === "h265" ? t.vps : undefined);
        if (!vps) return;
        if (t?.codec === "h265" && same(t.vps, vps) && same(t.sps, sps) && same(t.pps[0], pps[0])) return;
        this.track = h265Track(vps, sps, pps);
      }
    } catch {
      // A parameter set we cannot parse: keep the current track.
    }
  }
}

class AacDepacketizer implements Depacketizer {
  readonly stats: DepacketizerStats = { units: 0, dropped: 0 };
  readonly track: AacTrack;
  #unpacker: AacUnpacker;
  #auDuration: number;
  #aus: Uint8Array[] = [];

  constructor(track: AacTrack, rtpClock: number, layout: AuHeaderLayout) {
    if (!track) throw new ProtocolError("RTP mpeg4-generic depacketizer needs a track (fmtp config=)");
    this.track = track;
    this.#unpacker = new AacUnpacker(layout);
    // AU duration in RTP ticks: frame samples at the track clock, rescaled to the RTP clock.
    this.#auDuration = (aacFrameSamples(track) * rtpClock) / track.clockRate;
  }

  push(p: RtpPacket, ts: number, lost: number, out: RtpUnit[]): void {
    if (lost > 0) this.#unpacker.reset();
    this.#aus.length = 0;
    this.#unpacker.push(p.payload, p.marker, this.#aus);
    if (this.#unpacker.corrupt) {
      this.#unpacker.corrupt = false;
      this.stats.dropped++;
    }
    for (let i = 0; i < this.#aus.length; i++) {
      this.stats.units++;
      out.push({
        track: this.track,
        timestamp: ts + Math.round(i * this.#auDuration),
        key: true,
        data: this.#aus[i],
      });
    }
  }
}

/** Packets a VP8 frame may span before it is dropped as malformed (far above a 4K key frame). */
const MAX_VP8_PACKETS = 8192;

/**
 * VP8 (RFC 7741): a frame starts at a packet with S=1 and partition index 0 and ends at the marker
 * bit (or a timestamp change); the track (its size) comes from the key frames.
 */
class Vp8Depacketizer implements Depacketizer {
  readonly stats: DepacketizerStats = { units: 0, dropped: 0 };
  track: Vp8Track | undefined;
  #parts: Uint8Array[] = [];
  #ts = NaN;
  #corrupt = false;
  #waitKey = true;

  push(p: RtpPacket, ts: number, lost: number, out: RtpUnit[]): void {
    if (lost > 0) this.#corrupt = true;
    if (ts !== this.#ts) {
      if (this.#parts.length > 0 || this.#corrupt) this.#finish(out);
      this.#ts = ts;
    }
    let d;
    try {
      d = vp8Descriptor(p.payload);
    } catch (err) {
      this.#corrupt = true;
      throw err;
    }
    if (d.start && this.#parts.length > 0) this.#finish(out);
    if (!d.start && this.#parts.length === 0) this.#corrupt = true; // its start was lost
    this.#parts.push(p.payload.subarray(d.offset));
    if (p.marker || this.#parts.length > MAX_VP8_PACKETS) this.#finish(out);
  }

  #finish(out: RtpUnit[]): void {
    const parts = this.#parts;
    this.#parts = [];
    if (this.#corrupt) {
      this.#corrupt = false;
      this.#waitKey = true;
      if (parts.length > 0) this.stats.dropped++;
      return;
    }
    if (parts.length === 0) return;
    const data = parts.length === 1 ? parts[0] : join(parts);
    let info;
    try {
      info = parseVp8Frame(data);
    } catch {
      this.stats.dropped++;
      this.#waitKey = true;
      return;
    }
    if (info.key && (this.track?.width !== info.width || this.track?.height !== info.height)) {
      this.track = vp8Track(info.width, info.height);
    }
    if (!this.track || (this.#waitKey && !info.key)) {
      this.stats.dropped++;
      return;
    }
    this.#waitKey = false;
    this.stats.units++;
    out.push({ track: this.track, timestamp: this.#ts, key: info.key, data });
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

class PlainAudioDepacketizer implements Depacketizer {
  readonly stats: DepacketizerStats = { units: 0, dropped: 0 };
  readonly track: Track;

  constructor(track: Track) {
    this.track = track;
  }

  push(p: RtpPacket, ts: number, _lost: number, out: RtpUnit[]): void {
    if (p.payload.length === 0) return;
    this.stats.units++;
    out.push({ track: this.track, timestamp: ts, key: true, data: p.payload });
  }
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
