/**
 * smart_rtmpd's `/api/config` JSON: its web admin reads and posts the configuration in this shape
 * (reference/smart_rtmpd-web-webrtc.md). Each key maps to one of our elements; a POST becomes element
 * changes applied like the admin API's (checked, file kept with comments, .bak, applied live).
 * Keys Estuary does not have are listed as ignored.
 */
import type { Config } from "../config/mod.ts";

/** smart section → smart key → our dotted path. */
export const SMART_CONFIG: Record<string, Record<string, string>> = {
  global: { auth_url: "authurl.host", rtp_min: "rtp.min", rtp_max: "rtp.max" },
  nat: {
    rtmp: "nat.rtmp",
    rtsp: "nat.rtsp",
    http: "nat.http",
    https: "nat.https",
    srt: "nat.srt",
    rtp: "nat.rtp",
  },
  ssl: {
    ca: "ssl.serverca",
    server_key: "ssl.serverkey",
    server_cert: "ssl.servercert",
    client_key: "ssl.clientkey",
    client_cert: "ssl.clientcert",
  },
  rtmp: {
    port: "rtmp.port",
    ssl: "rtmp.ssl",
    gop_cache: "rtmp.gopenable",
    chunk_size: "rtmp.chunksize",
    has_rtsp: "rtmp.hasrtsp",
    has_hls: "rtmp.hashls",
    has_dash: "rtmp.hasdash",
    has_srt: "rtmp.hassrt",
    has_webrtc: "rtmp.haswebrtc",
    max_idle: "rtmp.maxidle",
  },
  rtsp: {
    port: "rtsp.port",
    enable: "rtsp.enable",
    ssl: "rtsp.ssl",
    max_idle: "rtsp.maxidle",
    has_rtmp: "rtsp.hasrtmp",
  },
  http: {
    port: "http.port",
    enable: "http.enable",
    sport: "http.sport",
    ssl: "http.ssl",
    io_shrink: "http.ioshrink",
    hls_count: "http.hlssegment",
    hls_duration: "http.hlsduration",
    hls_cache: "http.hlslivecache",
    dash_duration: "http.dashduration",
    dash_cache: "http.dashlivecache",
    rec_mode: "http.recmode",
    rec_period: "http.recduration",
  },
  srt: { port: "srt.port", enable: "srt.enable", has_rtmp: "srt.hasrtmp" },
};

function at(o: unknown, path: string): unknown {
  let v = o;
  for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
  return v;
}

/** The running config in smart_rtmpd's shape. */
export function toSmartConfig(c: Config): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(SMART_CONFIG)) {
    out[section] = {};
    for (const [k, path] of Object.entries(keys)) out[section][k] = at(c, path);
  }
  return out;
}

/** Element changes from a posted body; unknown sections and keys are listed, not fatal. */
export function fromSmartConfig(body: unknown): { changes: Record<string, unknown>; ignored: string[] } {
  const changes: Record<string, unknown> = {};
  const ignored: string[] = [];
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { changes, ignored: ["(body is not an object)"] };
  }
  for (const [section, values] of Object.entries(body as Record<string, unknown>)) {
    const keys = SMART_CONFIG[section];
    if (!keys || !values || typeof values !== "object") {
      ignored.push(section);
      continue;
    }
    for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
      if (keys[k] && v !== null && typeof v !== "object") changes[keys[k]] = v;
      else ignored.push(`${section}.${k}`);
    }
  }
  return { changes, ignored };
}
