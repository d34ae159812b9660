/**
 * A ready-made `publicUrls` dependency: the URLs players can use for a stream, for /api/live.
 * NAT (`<nat><rtmp>118.145.6.103:1935</rtmp>`…): a client that reached us by the NAT's public
 * address gets NAT addresses; a client on the inside (any other host name) gets the host it used
 * with our own ports.
 */
import type { Stream } from "../core/mod.ts";
import type { Offered } from "../config/mod.ts";
import type { PublicUrl } from "./deps.ts";

export interface Endpoint {
  /** The bound port (not listening = leave the endpoint out). */
  port: number;
  /** The NAT mapping "ip:port" (or "ip"), "" = none. */
  nat?: string;
}

/** Where each output is reachable; an absent endpoint (service off, or output disabled) is omitted. */
export interface PublicEndpoints {
  rtmp?: Endpoint;
  /** Serves http-flv, ws-flv, http-hls and http-dash (each only when its flag is on). */
  http?: Endpoint & { flv?: boolean; hls?: boolean; dash?: boolean };
  rtsp?: Endpoint;
  srt?: Endpoint;
  /** WebRTC playback page/endpoint on the HTTP port, e.g. (app, name) => `/whep/v1?app=…&name=…`. */
  webrtcPath?: (app: string, name: string) => string;
  /** config.xml's `has*` switches: a URL of an output that does not offer the stream is left out. */
  offered?: Offered;
}

/** The player protocol (as the hub's admission names it) behind each URL type. */
const PLAYER_OF: Record<string, string> = {
  rtmp: "rtmp",
  "http-flv": "http",
  "ws-flv": "http",
  "http-hls": "http",
  "http-dash": "http",
  rtsp: "rtsp",
  srt: "srt",
  webrtc: "webrtc",
};

function hostPort(ep: Endpoint, host: string): string {
  const nat = ep.nat ?? "";
  if (nat !== "") {
    const i = nat.lastIndexOf(":");
    const natHost = i > 0 && !nat.endsWith("]") ? nat.slice(0, i) : nat;
    // Unknown host (no Host header) or the NAT's own address: hand out the NAT mapping.
    if (host === "" || host === natHost) return i > 0 && !nat.endsWith("]") ? nat : `${nat}:${ep.port}`;
  }
  return `${host || "127.0.0.1"}:${ep.port}`;
}

/** Builds the `publicUrls(stream, host)` function; `endpoints` is read on every call (reload-safe). */
export function publicUrlsFrom(endpoints: () => PublicEndpoints): (s: Stream, host: string) => PublicUrl[] {
  return (s, host) => {
    const e = endpoints();
    const path = `${s.app}/${s.name}`;
    const out: PublicUrl[] = [];
    if (e.rtmp) out.push({ type: "rtmp", url: `rtmp://${hostPort(e.rtmp, host)}/${path}` });
    if (e.http) {
      const h = hostPort(e.http, host);
      if (e.http.flv !== false) {
        out.push({ type: "http-flv", url: `http://${h}/${path}.flv` });
        out.push({ type: "ws-flv", url: `ws://${h}/${path}.flv` });
      }
      if (e.http.hls !== false) out.push({ type: "http-hls", url: `http://${h}/${path}.m3u8` });
      if (e.http.dash !== false) out.push({ type: "http-dash", url: `http://${h}/${path}.mpd` });
    }
    if (e.rtsp) out.push({ type: "rtsp", url: `rtsp://${hostPort(e.rtsp, host)}/${path}` });
    if (e.srt) {
      out.push({ type: "srt", url: `srt://${hostPort(e.srt, host)}?streamid=#!::r=${path},m=request` });
    }
    if (e.http && e.webrtcPath) {
      out.push({ type: "webrtc", url: `http://${hostPort(e.http, host)}${e.webrtcPath(s.app, s.name)}` });
    }
    const offered = e.offered;
    return offered ? out.filter((u) => !offered(s.info.from, PLAYER_OF[u.type])) : out;
  };
}
