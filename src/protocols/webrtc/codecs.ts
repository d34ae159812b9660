/**
 * Codec negotiation for a WHEP viewer: which payload of the client's offer carries each of the
 * stream's tracks. Video H.264 goes out as it came in (packetization-mode 1, RFC 6184), matched to
 * the offer's closest profile; Opus and G.711 pass through. No video transcoding: a source codec the
 * offer lacks leaves that kind out, and the caller says so in one log line.
 */
import { attributes, type Sdp, type SdpMedia } from "../../formats/sdp/mod.ts";
import { rtpmap } from "../../formats/sdp/mod.ts";
import type { AudioTrack, Stream, VideoTrack } from "../../core/mod.ts";
import { parseVpcc } from "../../codecs/vp9.ts";
import { parseAv1c } from "../../codecs/av1.ts";

/** One codec of the answer: the offer's own payload type and parameters. */
export interface RtpCodec {
  kind: "video" | "audio";
  /** `video/H264`, `audio/opus`, `audio/PCMA`, … (the offer's spelling of the encoding name). */
  mimeType: string;
  clockRate: number;
  channels?: number;
  payloadType: number;
  /** The offer's fmtp parameters for that payload type, verbatim ("" when none). */
  fmtp: string;
}

export interface Negotiated {
  video?: RtpCodec;
  audio?: RtpCodec;
  /** The audio is the source's AAC transcoded to Opus (the stream's shared transcoder). */
  transcodeAudio?: boolean;
  /** Why a kind is left out (one sentence each), for the session's log line. */
  notes: string[];
}

/**
 * The codec a WebRTC viewer receives for a source audio codec: Opus and G.711 as they are; AAC as
 * Opus through the stream's transcoder (src/transcode, once per stream, not per viewer); anything
 * else not at all.
 */
export function audioFor(codec: string): { codec: string; transcoded: boolean } | undefined {
  if (codec === "aac") return { codec: "opus", transcoded: true };
  return AUDIO_ENCODING[codec] ? { codec, transcoded: false } : undefined;
}

function wants(m: SdpMedia): boolean {
  if (m.port === 0) return false;
  return !m.attributes.some(([k]) => k === "sendonly" || k === "inactive");
}

/** The raw `a=fmtp:<pt> …` parameter string of a payload type. */
function rawFmtp(m: SdpMedia, pt: string): string {
  for (const v of attributes(m, "fmtp")) {
    const sp = v.indexOf(" ");
    if (sp > 0 && v.slice(0, sp) === pt) return v.slice(sp + 1).trim();
  }
  return "";
}

function params(fmtp: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of fmtp.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().toLowerCase();
  }
  return out;
}

interface Offered {
  pt: string;
  encoding: string;
  clockRate: number;
  channels?: number;
  fmtp: string;
}

function offered(m: SdpMedia): Offered[] {
  const out: Offered[] = [];
  for (const pt of m.formats) {
    let map;
    try {
      map = rtpmap(m, pt);
    } catch {
      continue; // a malformed payload of the offer is simply not chosen
    }
    if (!map) continue;
    out.push({
      pt,
      encoding: map.encoding,
      clockRate: map.clockRate,
      channels: map.channels,
      fmtp: rawFmtp(m, pt),
    });
  }
  return out;
}

/**
 * How well an offered H.264 profile-level-id suits the source: the same profile and constraint flags
 * is best, then the same profile with the same "constrained" flag (constraint_set1: a constrained
 * baseline source matches 42e0…), then the same profile; any other packetization-mode 1 entry still
 * plays (browsers decode every profile they offer), so it scores lowest rather than not at all.
 */
function h264Score(o: Offered, t: Extract<VideoTrack, { codec: "h264" }>): number {
  const p = params(o.fmtp);
  if ((p["packetization-mode"] ?? "0") !== "1") return -1;
  const pli = p["profile-level-id"] ?? "42001f";
  const profile = parseInt(pli.slice(0, 2), 16);
  const compat = parseInt(pli.slice(2, 4), 16);
  if (profile !== t.profile) return 0;
  if (compat === t.compat) return 3;
  return (compat & 0x40) === (t.compat & 0x40) ? 2 : 1;
}

/** The RTP encoding name of each video codec WebRTC playback carries as it is. */
const VIDEO_ENCODING: Record<VideoTrack["codec"], string> = {
  h264: "H264",
  h265: "H265",
  vp8: "VP8",
  vp9: "VP9",
  av1: "AV1",
};

/** The source's profile as the offer's fmtp names it (VP9 profile-id, AV1 profile); 0 when unknown. */
function sourceProfile(t: VideoTrack): number {
  try {
    if (t.codec === "vp9" && t.config) return parseVpcc(t.config).profile;
    if (t.codec === "av1") return parseAv1c(t.config).profile;
  } catch {
    // an unreadable config: assume profile 0, which every source of these tests uses
  }
  return 0;
}

/**
 * How well an offered payload suits the source: -1 = cannot play it. H.264 by profile (h264Score);
 * VP9 and AV1 need the same profile (profile-id / profile, absent = 0); VP8 and H.265 any entry.
 */
function videoScore(o: Offered, t: VideoTrack): number {
  if (o.encoding.toUpperCase() !== VIDEO_ENCODING[t.codec] || o.clockRate !== 90000) return -1;
  const p = params(o.fmtp);
  switch (t.codec) {
    case "h264":
      return h264Score(o, t);
    case "vp9":
      return +(p["profile-id"] ?? "0") === sourceProfile(t) ? 1 : -1;
    case "av1":
      return +(p["profile"] ?? "0") === sourceProfile(t) ? 1 : -1;
    default:
      return 1;
  }
}

function pickVideo(m: SdpMedia, t: VideoTrack): RtpCodec | string {
  let best: Offered | undefined;
  let bestScore = -1;
  for (const o of offered(m)) {
    const s = videoScore(o, t);
    if (s > bestScore) [best, bestScore] = [o, s];
  }
  if (!best) {
    const name = VIDEO_ENCODING[t.codec];
    if (t.codec === "h264") return "the offer has no H264 with packetization-mode=1";
    const profile = t.codec === "vp9" || t.codec === "av1" ? ` profile ${sourceProfile(t)}` : "";
    return `the source video is ${name}${profile}, which the offer lacks (no video transcoding)`;
  }
  return {
    kind: "video",
    mimeType: `video/${best.encoding}`,
    clockRate: 90000,
    payloadType: +best.pt,
    fmtp: best.fmtp,
  };
}

const AUDIO_ENCODING: Record<string, { name: string; clockRate: number }> = {
  opus: { name: "OPUS", clockRate: 48000 },
  pcma: { name: "PCMA", clockRate: 8000 },
  pcmu: { name: "PCMU", clockRate: 8000 },
};

function pickAudio(m: SdpMedia, t: AudioTrack, transcode: boolean): RtpCodec | string {
  const to = audioFor(t.codec);
  if (!to) return `the source audio is ${t.codec.toUpperCase()}, which WebRTC cannot carry`;
  if (to.transcoded && !transcode) {
    return `the source audio is ${t.codec.toUpperCase()} and audio transcoding is off (<rtc><transcode>)`;
  }
  const want = AUDIO_ENCODING[to.codec];
  const o = offered(m).find((o) => o.encoding.toUpperCase() === want.name && o.clockRate === want.clockRate);
  if (!o) return `the offer has no ${want.name}/${want.clockRate} for the source's audio`;
  return {
    kind: "audio",
    mimeType: `audio/${o.encoding}`,
    clockRate: o.clockRate,
    channels: o.channels ?? 1,
    payloadType: +o.pt,
    fmtp: o.fmtp,
  };
}

/**
 * The codecs of the answer for the stream's current tracks; what is left out says why in `notes`.
 * `transcode` false (`<rtc><transcode>off`): audio that would need the transcoder is left out.
 */
export function negotiate(offer: Sdp, stream: Stream, transcode = true): Negotiated {
  const out: Negotiated = { notes: [] };
  const video = offer.media.find((m) => m.type === "video" && wants(m));
  const audio = offer.media.find((m) => m.type === "audio" && wants(m));
  const v = stream.videoTrack, a = stream.audioTrack;
  if (v && video) {
    const r = pickVideo(video, v);
    if (typeof r === "string") out.notes.push(`no video: ${r}`);
    else out.video = r;
  } else if (v) out.notes.push("no video: the offer receives no video");
  if (a && audio) {
    const r = pickAudio(audio, a, transcode);
    if (typeof r === "string") out.notes.push(`no audio: ${r}`);
    else {
      out.audio = r;
      out.transcodeAudio = audioFor(a.codec)?.transcoded;
    }
  } else if (a) out.notes.push("no audio: the offer receives no audio");
  return out;
}

/** What a WHIP publisher may send: H264 (packetization-mode 1) or VP8, and Opus. */
export interface IngestCodecs {
  video?: RtpCodec;
  audio?: RtpCodec;
  notes: string[];
}

/**
 * Constrained baseline first (every encoder and decoder has it), then baseline, then any mode-1
 * H264; VP8 only when the offer has no usable H264 (every output carries H264, VP8 fewer).
 */
function ingestVideoScore(o: Offered): number {
  if (o.clockRate !== 90000) return -1;
  const name = o.encoding.toUpperCase();
  if (name === "VP8") return 0;
  if (name !== "H264") return -1;
  const p = params(o.fmtp);
  if ((p["packetization-mode"] ?? "0") !== "1") return -1;
  const pli = p["profile-level-id"] ?? "42001f";
  if (pli.startsWith("42e0")) return 3;
  if (pli.startsWith("42")) return 2;
  return 1;
}

/** The codecs of a WHIP answer: the publisher's offer decides, we pick what the hub can carry. */
export function negotiateIngest(offer: Sdp): IngestCodecs {
  const out: IngestCodecs = { notes: [] };
  const sends = (m: SdpMedia) =>
    m.port !== 0 && !m.attributes.some(([k]) => k === "recvonly" || k === "inactive");
  const video = offer.media.find((m) => m.type === "video" && sends(m));
  const audio = offer.media.find((m) => m.type === "audio" && sends(m));
  if (video) {
    let best: Offered | undefined, score = -1;
    for (const o of offered(video)) {
      const s = ingestVideoScore(o);
      if (s > score) [best, score] = [o, s];
    }
    if (best) {
      out.video = {
        kind: "video",
        mimeType: `video/${best.encoding}`,
        clockRate: 90000,
        payloadType: +best.pt,
        fmtp: best.fmtp,
      };
    } else out.notes.push("no video: the offer sends no H264 with packetization-mode=1 and no VP8");
  }
  if (audio) {
    const o = offered(audio).find((o) => o.encoding.toUpperCase() === "OPUS" && o.clockRate === 48000);
    if (o) {
      out.audio = {
        kind: "audio",
        mimeType: `audio/${o.encoding}`,
        clockRate: 48000,
        channels: o.channels ?? 2,
        payloadType: +o.pt,
        fmtp: o.fmtp,
      };
    } else out.notes.push("no audio: the offer sends no Opus");
  }
  return out;
}
