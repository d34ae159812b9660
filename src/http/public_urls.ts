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
  http?: HttpEndpoint;
  rtsp?: Endpoint;
  srt?: Endpoint;
  /** The TLS listeners: rtmps, https-flv, wss-flv, https-hls, https-dash, rtsps and https-webrtc URLs. */
  rtmps?: Endpoint;
  https?: HttpEndpoint;
  rtsps?: Endpoint;
  /** WebRTC playback page/endpoint on the HTTP port, e.g. (app, name) => `/whep/v1?app=…&name=…`. */
  webrtcPath?: (app: string, name: string) => string;
  /** config.xml's `has*` switches: a URL of an output that does not offer the stream is left out. */
  offered?: Offered;
}

type HttpEndpoint = Endpoint & { flv?: boolean; hls?: boolean; dash?: boolean };

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
  rtmps: "rtmp",
  "https-flv": "http",
  "wss-flv": "http",
  "https-hls": "http",
  "https-dash": "http",
  rtsps: "rtsp",
  "https-webrtc": "webrtc",
};

/** The FLV, HLS and DASH URLs of an HTTP(S) endpoint, as `<scheme>-<format>` types. */
function httpUrls(ep: HttpEndpoint, h: string, path: string, tls: boolean): PublicUrl[] {
  const [http, ws] = tls ? ["https", "wss"] : ["http", "ws"];
  const out: PublicUrl[] = [];
  if (ep.flv !== false) {
    out.push({ type: `${http}-flv`, url: `${http}://${h}/${path}.flv` });
    out.push({ type: `${ws}-flv`, url: `${ws}://${h}/${path}.flv` });
  }
  if (ep.hls !== false) out.push({ type: `${http}-hls`, url: `${http}://${h}/${path}.m3u8` });
  if (ep.dash !== false) out.push({ type: `${http}-dash`, url: `${http}://${h}/${path}.mpd` });
  return out;
}

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
    if (e.http) out.push(...httpUrls(e.http, hostPort(e.http, host), path, false));
    if (e.rtsp) out.push({ type: "rtsp", url: `rtsp://${hostPort(e.rtsp, host)}/${path}` });
    if (e.srt) {
      out.push({ type: "srt", url: `srt://${hostPort(e.srt, host)}?streamid=#!::r=${path},m=request` });
    }
    if (e.http && e.webrtcPath) {
      out.push({ type: "webrtc", url: `http://${hostPort(e.http, host)}${e.webrtcPath(s.app, s.name)}` });
    }
    if (e.rtmps) out.push({ type: "rtmps", url: `rtmps://${hostPort(e.rtmps, host)}/${path}` });
    if (e.https) out.push(...httpUrls(e.https, hostPort(e.https, host), path, true));
    if (e.rtsps) out.push({ type: "rtsps", url: `rtsps://${hostPort(e.rtsps, host)}/${path}` });
    if (e.https && e.webrtcPath) {
      // A page served over HTTPS may only call an HTTPS WHEP endpoint (mixed content).
      out.push({
        type: "https-webrtc",
        url: `https://${hostPort(e.https, host)}${e.webrtcPath(s.app, s.name)}`,
      });
    }
    const offered = e.offered;
    return offered ? out.filter((u) => !offered(s.info.from, PLAYER_OF[u.type])) : out;
  };
}
