/// <reference lib="dom" />
/** Which ways a live stream can be watched in a browser, from the URLs the server lists for it. */
import type { PublicUrl } from "./api.ts";
import type { Kind, Source } from "./playback.ts";

export interface Choice {
  kind: Kind;
  label: string;
}

const ORDER: [string, Choice[]][] = [
  ["http-flv", [{ kind: "flv", label: "HTTP-FLV" }]],
  ["ws-flv", [{ kind: "ws-flv", label: "WS-FLV" }]],
  ["http-hls", [{ kind: "hls", label: "HLS" }, { kind: "ll-hls", label: "LL-HLS" }]],
  ["http-dash", [{ kind: "dash", label: "DASH" }]],
  ["webrtc", [{ kind: "webrtc", label: "WebRTC" }]],
];

export function choicesFor(urls: PublicUrl[]): Choice[] {
  const types = new Set(urls.map((u) => u.type));
  return ORDER.filter(([t]) => types.has(t)).flatMap(([, c]) => c);
}

/** The source for a choice on this page's own origin (the listed URLs may name a NAT host). */
export function liveSource(app: string, name: string, kind: Kind, loc: Location = location): Source {
  const path = `/${encodeURIComponent(app)}/${encodeURIComponent(name)}`;
  const http = `${loc.protocol}//${loc.host}${path}`;
  const url = kind === "ws-flv"
    ? `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}.flv`
    : kind === "flv"
    ? `${http}.flv`
    : kind === "hls"
    ? `${http}.m3u8`
    : kind === "ll-hls"
    ? `${http}.m3u8?fmp4&ll`
    : kind === "webrtc"
    ? `${http}/whep`
    : `${http}.mpd`;
  return { kind, url, live: true };
}

export const isKind = (k: string | null): k is Kind =>
  k !== null && ["flv", "ws-flv", "hls", "ll-hls", "dash", "webrtc"].includes(k);
