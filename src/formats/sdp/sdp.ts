/**
 * Session Description Protocol (RFC 8866) text ⇄ a plain structure. Only what RTSP needs:
 * session and media lines with their attributes, in order; unknown lines are kept as attributes
 * of nothing and dropped on rebuild.
 */
import { ProtocolError } from "../../core/errors.ts";

export interface SdpMedia {
  /** video | audio | application | … */
  type: string;
  port: number;
  /** RTP/AVP, RTP/AVP/TCP, RTP/SAVP, … */
  protocol: string;
  /** Payload type numbers (as strings, from the m= line). */
  formats: string[];
  connection?: string;
  bandwidth?: string[];
  /** `a=name:value` in order; flag attributes (`a=recvonly`) have value "". */
  attributes: [string, string][];
}

export interface Sdp {
  version: number;
  origin: string;
  sessionName: string;
  info?: string;
  connection?: string;
  timing: string;
  attributes: [string, string][];
  media: SdpMedia[];
}

/** At most this much SDP is accepted (a sane upper bound; real ones are under 4 KB). */
const MAX_SDP = 64 * 1024;
/** A publisher sends one m= line per track; a few more leave room for data or text tracks. */
export const MAX_SDP_MEDIA = 16;
/** RTP has 128 payload types (RFC 3550 5.1), so no m= line needs more formats. */
const MAX_FORMATS = 128;
/** The longest line we read: an fmtp with H.265 parameter sets is a few hundred characters. */
export const MAX_SDP_LINE = 4096;

export function parseSdp(text: string): Sdp {
  if (text.length > MAX_SDP) {
    throw new ProtocolError(`SDP of ${text.length} characters is invalid: must be at most ${MAX_SDP}`);
  }
  const sdp: Sdp = { version: 0, origin: "", sessionName: "", timing: "0 0", attributes: [], media: [] };
  let media: SdpMedia | undefined;
  let sawVersion = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === "") continue;
    if (line.length > MAX_SDP_LINE) {
      throw new ProtocolError(
        `SDP line "${
          line.slice(0, 40)
        }…" of ${line.length} characters is invalid: must be at most ${MAX_SDP_LINE}`,
      );
    }
    if (line.length < 2 || line[1] !== "=") {
      throw new ProtocolError(`SDP line "${line.slice(0, 40)}" is invalid: must be <type>=<value>`);
    }
    const type = line[0], value = line.slice(2);
    switch (type) {
      case "v":
        sdp.version = Number(value);
        sawVersion = true;
        break;
      case "o":
        sdp.origin = value;
        break;
      case "s":
        sdp.sessionName = value;
        break;
      case "i":
        if (!media) sdp.info = value;
        break;
      case "c":
        if (media) media.connection = value;
        else sdp.connection = value;
        break;
      case "t":
        sdp.timing = value;
        break;
      case "b":
        if (media) (media.bandwidth ??= []).push(value);
        break;
      case "m":
        if (sdp.media.length === MAX_SDP_MEDIA) {
          throw new ProtocolError(`SDP with more than ${MAX_SDP_MEDIA} m= lines is invalid: must be 1..16`);
        }
        media = parseMediaLine(value);
        sdp.media.push(media);
        break;
      case "a": {
        const i = value.indexOf(":");
        const attr: [string, string] = i < 0 ? [value, ""] : [value.slice(0, i), value.slice(i + 1)];
        (media ? media.attributes : sdp.attributes).push(attr);
        break;
      }
      default:
        break; // e=, p=, z=, k=, r=, u= carry nothing RTSP needs
    }
  }
  if (!sawVersion) throw new ProtocolError("SDP is invalid: it has no v= line");
  return sdp;
}

function parseMediaLine(value: string): SdpMedia {
  const parts = value.split(/\s+/);
  if (parts.length < 4) {
    throw new ProtocolError(`SDP m= line "${value}" is invalid: must be <media> <port> <proto> <fmt>…`);
  }
  if (parts.length - 3 > MAX_FORMATS) {
    throw new ProtocolError(
      `SDP m= line with ${parts.length - 3} formats is invalid: must be at most ${MAX_FORMATS}`,
    );
  }
  const port = parseInt(parts[1], 10);
  if (!Number.isFinite(port) || port < 0 || port > 65535) {
    throw new ProtocolError(`SDP m= port "${parts[1]}" is invalid: must be 0..65535`);
  }
  return { type: parts[0], port, protocol: parts[2], formats: parts.slice(3), attributes: [] };
}

export function buildSdp(sdp: Sdp): string {
  const lines = [`v=${sdp.version}`, `o=${sdp.origin}`, `s=${sdp.sessionName || " "}`];
  if (sdp.info) lines.push(`i=${sdp.info}`);
  if (sdp.connection) lines.push(`c=${sdp.connection}`);
  lines.push(`t=${sdp.timing}`);
  for (const [k, v] of sdp.attributes) lines.push(v === "" ? `a=${k}` : `a=${k}:${v}`);
  for (const m of sdp.media) {
    lines.push(`m=${m.type} ${m.port} ${m.protocol} ${m.formats.join(" ")}`);
    if (m.connection) lines.push(`c=${m.connection}`);
    for (const b of m.bandwidth ?? []) lines.push(`b=${b}`);
    for (const [k, v] of m.attributes) lines.push(v === "" ? `a=${k}` : `a=${k}:${v}`);
  }
  return lines.join("\r\n") + "\r\n";
}

/** The first value of an attribute (media-level first, then session-level when `session` is given). */
export function attribute(m: { attributes: [string, string][] }, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of m.attributes) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function attributes(m: { attributes: [string, string][] }, name: string): string[] {
  const lower = name.toLowerCase();
  return m.attributes.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

/** `a=fmtp:<pt> k=v;k=v` for one payload type, keys lower-cased. */
export function fmtp(m: SdpMedia, pt: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of attributes(m, "fmtp")) {
    const sp = v.indexOf(" ");
    const head = sp < 0 ? v : v.slice(0, sp);
    if (head !== pt) continue;
    for (const part of v.slice(sp + 1).split(";")) {
      const p = part.trim();
      if (p === "") continue;
      const eq = p.indexOf("=");
      if (eq < 0) out[p.toLowerCase()] = "";
      else out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
  }
  return out;
}

export interface RtpMap {
  encoding: string;
  clockRate: number;
  channels?: number;
}

/** RTP clocks in use are 8 kHz to 192 kHz audio and 90 kHz video (RFC 3551 4.5). */
const MAX_CLOCK = 1_000_000;
/** The most audio channels an RTP audio payload names (AAC channel configurations go to 48). */
const MAX_CHANNELS = 64;

const STATIC_PT: Record<string, RtpMap> = {
  "0": { encoding: "PCMU", clockRate: 8000, channels: 1 },
  "8": { encoding: "PCMA", clockRate: 8000, channels: 1 },
  "14": { encoding: "MPA", clockRate: 90000 },
  "26": { encoding: "JPEG", clockRate: 90000 },
  "32": { encoding: "MPV", clockRate: 90000 },
  "33": { encoding: "MP2T", clockRate: 90000 },
};

/** `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`, or the static assignment (RFC 3551). */
export function rtpmap(m: SdpMedia, pt: string): RtpMap | undefined {
  for (const v of attributes(m, "rtpmap")) {
    const [head, spec] = v.split(/\s+/, 2);
    if (head !== pt || !spec) continue;
    const [encoding, clock, channels] = spec.split("/");
    const clockRate = Number(clock);
    if (!Number.isInteger(clockRate) || clockRate < 1 || clockRate > MAX_CLOCK) {
      throw new ProtocolError(
        `SDP rtpmap clock rate "${clock}" for payload ${pt} is invalid: must be an integer 1..${MAX_CLOCK}`,
      );
    }
    const rtp: RtpMap = { encoding, clockRate };
    if (channels) {
      const n = Number(channels);
      if (!Number.isInteger(n) || n < 1 || n > MAX_CHANNELS) {
        throw new ProtocolError(
          `SDP rtpmap channels "${channels}" for payload ${pt} is invalid: must be an integer 1..${MAX_CHANNELS}`,
        );
      }
      rtp.channels = n;
    }
    return rtp;
  }
  return STATIC_PT[pt];
}
