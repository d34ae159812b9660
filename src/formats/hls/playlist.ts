/**
 * HLS media playlist writer (RFC 8216 and its low-latency extensions in draft-pantos-hls-rfc8216bis):
 * plain TS playlists, fMP4 with EXT-X-MAP, and LL-HLS parts, preload hints and server control.
 */

export interface PlaylistPart {
  uri: string;
  /** Seconds. */
  duration: number;
  /** Starts with a keyframe (EXT-X-PART INDEPENDENT=YES). */
  independent: boolean;
}

export interface PlaylistSegment {
  uri: string;
  /** Seconds. */
  duration: number;
  /** EXT-X-DISCONTINUITY before this segment (a new publisher, a timestamp jump). */
  discontinuity?: boolean;
  /** Wall-clock time of the segment's first sample, in ms since the epoch. */
  programDateTime?: number;
  /** The segment's parts, listed only for the last few segments of an LL-HLS playlist. */
  parts?: readonly PlaylistPart[];
}

export interface LowLatencyInfo {
  /** EXT-X-PART-INF PART-TARGET, seconds. */
  partTarget: number;
  /** EXT-X-SERVER-CONTROL PART-HOLD-BACK, seconds (at least 2 × partTarget; 3 × recommended). */
  partHoldBack: number;
  canBlockReload: boolean;
  /** Parts of the segment in progress (after the last complete segment). */
  pendingParts: readonly PlaylistPart[];
  /** URI of the next part, announced with EXT-X-PRELOAD-HINT. */
  preloadHint?: string;
}

export interface MediaPlaylist {
  /** Seconds; must be at least every segment duration rounded to the nearest integer. */
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence?: number;
  playlistType?: "EVENT" | "VOD";
  /** EXT-X-MAP URI: the fMP4 init segment. Its presence raises the version to 7. */
  map?: string;
  segments: readonly PlaylistSegment[];
  lowLatency?: LowLatencyInfo;
  endList?: boolean;
}

/** The EXT-X-VERSION a playlist needs: 3 for TS (float durations), 7 with fMP4, 9 with LL-HLS. */
export function playlistVersion(p: Pick<MediaPlaylist, "map" | "lowLatency">): number {
  if (p.lowLatency) return 9;
  if (p.map) return 7;
  return 3;
}

/** Seconds with millisecond precision and no trailing zeros noise ("2.002", "4"). */
export function formatSeconds(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}

function partLine(p: PlaylistPart): string {
  const ind = p.independent ? ",INDEPENDENT=YES" : "";
  return `#EXT-X-PART:DURATION=${formatSeconds(p.duration)},URI="${p.uri}"${ind}`;
}

export function writeMediaPlaylist(p: MediaPlaylist): string {
  const out: string[] = ["#EXTM3U", `#EXT-X-VERSION:${playlistVersion(p)}`];
  out.push(`#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(p.targetDuration))}`);
  const ll = p.lowLatency;
  if (ll) {
    const block = ll.canBlockReload ? "CAN-BLOCK-RELOAD=YES," : "";
    out.push(`#EXT-X-SERVER-CONTROL:${block}PART-HOLD-BACK=${formatSeconds(ll.partHoldBack)}`);
    out.push(`#EXT-X-PART-INF:PART-TARGET=${formatSeconds(ll.partTarget)}`);
  }
  out.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  if (p.discontinuitySequence) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  if (p.playlistType) out.push(`#EXT-X-PLAYLIST-TYPE:${p.playlistType}`);
  out.push("#EXT-X-INDEPENDENT-SEGMENTS");
  if (p.map) out.push(`#EXT-X-MAP:URI="${p.map}"`);
  for (const s of p.segments) {
    if (s.discontinuity) out.push("#EXT-X-DISCONTINUITY");
    if (s.programDateTime !== undefined) {
      out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
    }
    if (ll && s.parts) { for (const part of s.parts) out.push(partLine(part)); }
    out.push(`#EXTINF:${formatSeconds(s.duration)},`, s.uri);
  }
  if (ll) {
    for (const part of ll.pendingParts) out.push(partLine(part));
    if (ll.preloadHint && !p.endList) out.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${ll.preloadHint}"`);
  }
  if (p.endList) out.push("#EXT-X-ENDLIST");
  return out.join("\n") + "\n";
}
