/**
 * A small media playlist reader: enough of RFC 8216 to read back what writeMediaPlaylist writes
 * (tests, recording repair, the recordings index). Unknown tags are ignored.
 */
import { ProtocolError } from "../../core/errors.ts";
import type { MediaPlaylist, PlaylistPart, PlaylistSegment } from "./playlist.ts";

export interface ParsedPlaylist extends MediaPlaylist {
  version: number;
  /** Total duration of the complete segments, seconds. */
  duration: number;
}

/** Splits `A=1,B="x,y",C=YES` into a map; quoted values may contain commas. */
export function parseAttributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (const m of s.matchAll(re)) {
    const v = m[2];
    out.set(m[1], v.startsWith('"') ? v.slice(1, -1) : v);
  }
  return out;
}

function num(v: string | undefined, what: string): number {
  const n = Number(v);
  if (v === undefined || v === "" || !Number.isFinite(n)) {
    throw new ProtocolError(`HLS ${what} "${v}" is invalid: must be a number`);
  }
  return n;
}

export function parseMediaPlaylist(text: string): ParsedPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  if (lines[0] !== "#EXTM3U") {
    throw new ProtocolError(`HLS playlist starts with "${lines[0]}": must be #EXTM3U`);
  }
  const p: ParsedPlaylist = { version: 1, targetDuration: 0, mediaSequence: 0, segments: [], duration: 0 };
  const segments: PlaylistSegment[] = [];
  let parts: PlaylistPart[] = [];
  let pending: Partial<PlaylistSegment> = {};
  let partTarget = 0, partHoldBack = 0, canBlockReload = false;
  let preloadHint: string | undefined;
  for (const line of lines.slice(1)) {
    if (!line.startsWith("#")) {
      const duration = num(String(pending.duration), "EXTINF duration");
      segments.push({ ...pending, uri: line, duration, ...(parts.length ? { parts } : {}) });
      p.duration += duration;
      pending = {};
      parts = [];
      continue;
    }
    const colon = line.indexOf(":");
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1);
    switch (tag) {
      case "#EXT-X-VERSION":
        p.version = num(value, "version");
        break;
      case "#EXT-X-TARGETDURATION":
        p.targetDuration = num(value, "target duration");
        break;
      case "#EXT-X-MEDIA-SEQUENCE":
        p.mediaSequence = num(value, "media sequence");
        break;
      case "#EXT-X-DISCONTINUITY-SEQUENCE":
        p.discontinuitySequence = num(value, "discontinuity sequence");
        break;
      case "#EXT-X-PLAYLIST-TYPE":
        if (value === "EVENT" || value === "VOD") p.playlistType = value;
        break;
      case "#EXT-X-MAP":
        p.map = parseAttributes(value).get("URI");
        break;
      case "#EXT-X-DISCONTINUITY":
        pending.discontinuity = true;
        break;
      case "#EXT-X-PROGRAM-DATE-TIME":
        pending.programDateTime = Date.parse(value);
        break;
      case "#EXTINF":
        pending.duration = num(value.split(",")[0], "EXTINF duration");
        break;
      case "#EXT-X-PART": {
        const a = parseAttributes(value);
        parts.push({
          uri: a.get("URI") ?? "",
          duration: num(a.get("DURATION"), "part duration"),
          independent: a.get("INDEPENDENT") === "YES",
        });
        break;
      }
      case "#EXT-X-PART-INF":
        partTarget = num(parseAttributes(value).get("PART-TARGET"), "part target");
        break;
      case "#EXT-X-SERVER-CONTROL": {
        const a = parseAttributes(value);
        canBlockReload = a.get("CAN-BLOCK-RELOAD") === "YES";
        if (a.has("PART-HOLD-BACK")) partHoldBack = num(a.get("PART-HOLD-BACK"), "part hold back");
        break;
      }
      case "#EXT-X-PRELOAD-HINT":
        preloadHint = parseAttributes(value).get("URI");
        break;
      case "#EXT-X-ENDLIST":
        p.endList = true;
        break;
    }
  }
  p.segments = segments;
  if (partTarget > 0) {
    p.lowLatency = { partTarget, partHoldBack, canBlockReload, pendingParts: parts, preloadHint };
  }
  return p;
}
