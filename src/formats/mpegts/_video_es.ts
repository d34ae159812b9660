/**
 * H.264/H.265 elementary stream: one PES = one Annex B access unit → a length-prefixed Frame.
 * AUD, filler and parameter sets leave the frame data; parameter sets feed the Track instead.
 */
import type { H264Track, H265Track } from "../../core/track.ts";
import { EstuaryError } from "../../core/errors.ts";
import { h264Track, h265Track, splitAnnexB } from "../../codecs/mod.ts";
import type { EsParser, EsSink } from "./_es.ts";

type Role = "drop" | "vps" | "sps" | "pps" | "key" | "keep";

function h264Role(nal: Uint8Array): Role {
  switch (nal[0] & 0x1f) {
    case 5:
      return "key";
    case 7:
      return "sps";
    case 8:
      return "pps";
    case 9: // AUD
    case 12: // filler
      return "drop";
    default:
      return "keep";
  }
}

function h265Role(nal: Uint8Array): Role {
  const t = (nal[0] >> 1) & 0x3f;
  if (t >= 16 && t <= 23) return "key"; // IRAP
  if (t === 32) return "vps";
  if (t === 33) return "sps";
  if (t === 34) return "pps";
  if (t === 35 || t === 38) return "drop"; // AUD, filler
  return "keep";
}

export class VideoEs implements EsParser {
  readonly keepsViews = false;
  readonly #codec: "h264" | "h265";
  readonly #sink: EsSink;
  #track: H264Track | H265Track | undefined;
  #vps: Uint8Array | undefined;
  #sps: Uint8Array | undefined;
  #pps: Uint8Array[] = [];
  #lastDts: number | undefined;
  #lastPts = 0;

  constructor(codec: "h264" | "h265", sink: EsSink) {
    this.#codec = codec;
    this.#sink = sink;
  }

  get track(): H264Track | H265Track | undefined {
    return this.#track;
  }

  pes(payload: Uint8Array, pts: number | undefined, dts: number | undefined): void {
    if (dts === undefined) {
      // A PES without PTS continues the previous access unit's timing.
      if (this.#lastDts === undefined) {
        this.#sink.stats.droppedFrames++;
        return;
      }
      dts = this.#lastDts;
      pts = this.#lastPts;
    }
    pts ??= dts;
    this.#lastDts = dts;
    this.#lastPts = pts;

    const role = this.#codec === "h264" ? h264Role : h265Role;
    const kept: Uint8Array[] = [];
    const pps: Uint8Array[] = [];
    let size = 0;
    let key = false;
    let changed = false;
    for (const nal of splitAnnexB(payload)) {
      switch (role(nal)) {
        case "drop":
          continue;
        case "vps":
          if (!same(nal, this.#vps)) [this.#vps, changed] = [nal.slice(), true];
          continue;
        case "sps":
          if (!same(nal, this.#sps)) [this.#sps, changed] = [nal.slice(), true];
          continue;
        case "pps":
          pps.push(nal);
          continue;
        case "key":
          key = true;
      }
      kept.push(nal);
      size += 4 + nal.length;
    }
    if (pps.length > 0 && !samePpsList(pps, this.#pps)) {
      this.#pps = pps.map((p) => p.slice());
      changed = true;
    }
    if (changed) this.#updateTrack();
    if (kept.length === 0) return;
    if (!this.#track) {
      this.#sink.stats.droppedFrames++;
      return;
    }
    const data = new Uint8Array(size);
    let o = 0;
    for (const nal of kept) {
      data[o] = nal.length >>> 24;
      data[o + 1] = (nal.length >> 16) & 0xff;
      data[o + 2] = (nal.length >> 8) & 0xff;
      data[o + 3] = nal.length & 0xff;
      data.set(nal, o + 4);
      o += 4 + nal.length;
    }
    this.#sink.stats.frames++;
    this.#sink.onFrame({ track: this.#track, dts, pts, key, data });
  }

  #updateTrack(): void {
    if (!this.#sps || this.#pps.length === 0 || (this.#codec === "h265" && !this.#vps)) return;
    try {
      this.#track = this.#codec === "h264"
        ? h264Track(this.#sps, this.#pps)
        : h265Track(this.#vps!, this.#sps, this.#pps);
    } catch (e) {
      if (!(e instanceof EstuaryError)) throw e;
      // An undecodable SPS: keep the previous track (if any); frames stay dropped until a good one.
      this.#sink.stats.droppedFrames++;
      return;
    }
    this.#sink.onTrack(this.#track);
  }
}

function same(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function samePpsList(a: Uint8Array[], b: Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}
