/**
 * Media descriptions ⇄ Tracks: rtpmap and fmtp for H.264 (sprop-parameter-sets,
 * profile-level-id), H.265 (sprop-vps/sps/pps), AAC (mpeg4-generic config=), Opus and G.711.
 */
import type { Track } from "../../core/track.ts";
import { h264Track } from "../../codecs/h264.ts";
import { h265Track } from "../../codecs/h265.ts";
import { aacTrack } from "../../codecs/aac.ts";
import { opusTrack } from "../../codecs/opus.ts";
import { g711Track } from "../../codecs/g711.ts";
import { parseVpcc } from "../../codecs/vp9.ts";
import { ProtocolError } from "../../core/errors.ts";
import { checkAuHeaderLayout } from "../rtp/aac.ts";
import { attribute, fmtp, rtpmap, type SdpMedia } from "./sdp.ts";

/** A media description we can receive. `track` is undefined for video whose parameter sets come in-band. */
export interface MediaInfo {
  kind: "video" | "audio";
  codec: "h264" | "h265" | "vp8" | "aac" | "opus" | "pcma" | "pcmu";
  payloadType: number;
  rtpClock: number;
  track?: Track;
  /** mpeg4-generic AU header layout. */
  aacLayout?: { sizeLength: number; indexLength: number; indexDeltaLength: number };
  /** The a=control value ("" when absent). */
  control: string;
}

/** Why a media description cannot be used (unknown codec, missing config). */
export interface UnsupportedMedia {
  unsupported: string;
  control: string;
}

export function mediaInfo(m: SdpMedia): MediaInfo | UnsupportedMedia {
  const control = attribute(m, "control") ?? "";
  if (!m.protocol.toUpperCase().startsWith("RTP/AVP")) {
    return { unsupported: `transport profile ${m.protocol} (only RTP/AVP)`, control };
  }
  let reason = `${m.type} with no payload type`;
  for (const pt of m.formats) {
    const map = rtpmap(m, pt);
    if (!map) {
      reason = `payload type ${pt} has no rtpmap`;
      continue;
    }
    const info = infoFor(m, pt, map.encoding.toUpperCase(), map.clockRate, map.channels, control);
    if ("unsupported" in info) reason = info.unsupported;
    else return info;
  }
  return { unsupported: reason, control };
}

function infoFor(
  m: SdpMedia,
  pt: string,
  encoding: string,
  clock: number,
  channels: number | undefined,
  control: string,
): MediaInfo | UnsupportedMedia {
  const f = fmtp(m, pt);
  const payloadType = Number(pt);
  if (!/^\d{1,3}$/.test(pt) || payloadType > 127) {
    throw new ProtocolError(`SDP m= payload type "${pt}" is invalid: must be 0..127 (RFC 3550 5.1)`);
  }
  const base = { payloadType, rtpClock: clock, control };
  switch (encoding) {
    case "H264": {
      let track: Track | undefined;
      const sets = (f["sprop-parameter-sets"] ?? "").split(",").filter((s) => s !== "").map((s) =>
        b64("sprop-parameter-sets", s)
      );
      const sps = sets.find((n) => n && (n[0] & 0x1f) === 7);
      const pps = sets.filter((n): n is Uint8Array => !!n && (n[0] & 0x1f) === 8);
      if (sps && pps.length > 0) track = tryTrack(() => h264Track(sps, pps));
      if (f["packetization-mode"] === "2") {
        return { unsupported: "H.264 packetization-mode 2 (interleaved)", control };
      }
      return { ...base, kind: "video", codec: "h264", track };
    }
    case "H265":
    case "HEVC": {
      let track: Track | undefined;
      const [vps, sps, pps] = ["sprop-vps", "sprop-sps", "sprop-pps"].map((k) => b64(k, f[k]));
      if (vps && sps && pps) track = tryTrack(() => h265Track(vps, sps, [pps]));
      return { ...base, kind: "video", codec: "h265", track };
    }
    case "MPEG4-GENERIC": {
      const mode = (f["mode"] ?? "").toLowerCase();
      if (mode !== "aac-hbr" && mode !== "aac-lbr") {
        return { unsupported: `mpeg4-generic mode "${f["mode"] ?? ""}" (only AAC-hbr, AAC-lbr)`, control };
      }
      const config = hex(f["config"] ?? "");
      const track = config ? tryTrack(() => aacTrack(config)) : undefined;
      if (!track) return { unsupported: `mpeg4-generic config "${f["config"] ?? ""}"`, control };
      const aacLayout = {
        sizeLength: decimal(f, "sizelength", mode === "aac-hbr" ? 13 : 6),
        indexLength: decimal(f, "indexlength", mode === "aac-hbr" ? 3 : 2),
        indexDeltaLength: decimal(f, "indexdeltalength", mode === "aac-hbr" ? 3 : 2),
      };
      // Refused here, at ANNOUNCE, rather than met by the AU header loop (RFC 3640 3.3.6).
      checkAuHeaderLayout(aacLayout);
      return { ...base, kind: "audio", codec: "aac", track, aacLayout };
    }
    case "OPUS": {
      const stereo = f["sprop-stereo"];
      const ch = stereo === "0" ? 1 : stereo === "1" ? 2 : (channels ?? 2);
      return { ...base, kind: "audio", codec: "opus", track: opusTrack(Math.min(2, Math.max(1, ch))) };
    }
    case "VP8": // the track (its size) comes with the first keyframe
      return { ...base, kind: "video", codec: "vp8", track: undefined };
    case "PCMA":
    case "PCMU": {
      const codec = encoding === "PCMA" ? "pcma" : "pcmu";
      return { ...base, kind: "audio", codec, track: g711Track(codec, clock, channels ?? 1) };
    }
    default:
      return { unsupported: `codec ${encoding}/${clock}`, control };
  }
}

/** An fmtp integer field (RFC 3640 4.1: decimal), or `absent` when it is not given. */
function decimal(f: Record<string, string>, field: string, absent: number): number {
  const v = f[field];
  if (v === undefined) return absent;
  if (!/^\d{1,5}$/.test(v)) {
    throw new ProtocolError(`SDP fmtp ${field} "${v.slice(0, 20)}" is invalid: must be a decimal integer`);
  }
  return Number(v);
}

function tryTrack(make: () => Track): Track | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** Base64 of RFC 4648 4, padding optional (some encoders drop it); anything else is refused. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** A parameter set from an fmtp field (RFC 6184 8.1, RFC 7798 7.1); undefined when absent. */
function b64(field: string, s: string | undefined): Uint8Array | undefined {
  if (!s) return undefined;
  const t = s.trim();
  if (!BASE64.test(t)) {
    throw new ProtocolError(`SDP fmtp ${field} "${t.slice(0, 40)}" is invalid: must be base64`);
  }
  const bin = atob(t);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.length > 0 ? out : undefined;
}

function hex(s: string): Uint8Array | undefined {
  if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function vp9Profile(vpcc: Uint8Array | undefined): number {
  try {
    return vpcc ? parseVpcc(vpcc).profile : 0;
  } catch {
    return 0; // an unreadable config: profile 0, what nearly every VP9 source is
  }
}

export function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

export interface DescribeOptions {
  payloadType: number;
  control: string;
  /** a=sendonly (server → player) or a=recvonly; omitted when undefined. */
  direction?: "sendonly" | "recvonly";
}

/** The payload type a codec gets when the configuration does not name one. */
export function defaultPayloadType(codec: string): number {
  return ({ h264: 96, aac: 97, h265: 98, opus: 111, pcmu: 0, pcma: 8 } as Record<string, number>)[codec] ??
    96;
}

/** A media description for a track we send; undefined for codecs RTP cannot carry here. */
export function describeTrack(t: Track, o: DescribeOptions): SdpMedia | undefined {
  const pt = t.codec === "pcma" && t.clockRate === 8000 && t.channels === 1
    ? 8
    : t.codec === "pcmu" && t.clockRate === 8000 && t.channels === 1
    ? 0
    : o.payloadType;
  const attrs: [string, string][] = [];
  switch (t.codec) {
    case "h264": {
      const pli = [t.profile, t.compat, t.level].map((x) => x.toString(16).padStart(2, "0")).join("");
      const sets = [t.sps, ...t.pps].map(toBase64).join(",");
      attrs.push(["rtpmap", `${pt} H264/90000`]);
      attrs.push(["fmtp", `${pt} packetization-mode=1;profile-level-id=${pli};sprop-parameter-sets=${sets}`]);
      break;
    }
    case "h265":
      attrs.push(["rtpmap", `${pt} H265/90000`]);
      attrs.push([
        "fmtp",
        `${pt} sprop-vps=${toBase64(t.vps)};sprop-sps=${toBase64(t.sps)};sprop-pps=${
          t.pps.map(toBase64).join(",")
        }`,
      ]);
      break;
    case "aac":
      attrs.push(["rtpmap", `${pt} MPEG4-GENERIC/${t.clockRate}/${t.channels}`]);
      attrs.push([
        "fmtp",
        `${pt} streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${
          toHex(t.config)
        }`,
      ]);
      break;
    case "vp8": // RFC 7741 6.1: no required parameters; the size is in every keyframe
      attrs.push(["rtpmap", `${pt} VP8/90000`]);
      break;
    case "vp9": // RFC 9628 6.1: profile-id only when it is not 0
      attrs.push(["rtpmap", `${pt} VP9/90000`]);
      {
        const profile = vp9Profile(t.config);
        if (profile) attrs.push(["fmtp", `${pt} profile-id=${profile}`]);
      }
      break;
    case "opus":
      attrs.push(["rtpmap", `${pt} opus/48000/2`]);
      attrs.push(["fmtp", `${pt} sprop-stereo=${t.channels === 2 ? 1 : 0}`]);
      break;
    case "pcma":
    case "pcmu":
      attrs.push(["rtpmap", `${pt} ${t.codec.toUpperCase()}/${t.clockRate}/${t.channels}`]);
      break;
    default:
      return undefined;
  }
  if (o.direction) attrs.push([o.direction, ""]);
  attrs.push(["control", o.control]);
  return { type: t.kind, port: 0, protocol: "RTP/AVP", formats: [String(pt)], attributes: attrs };
}
