/** RTMP URLs: `rtmp[s]://host[:port]/app[?q]/name[?q]` and the tcUrl/app/stream-name split. */
import { ProtocolError } from "../../core/errors.ts";

export interface RtmpUrl {
  tls: boolean;
  host: string;
  port: number;
  /** The app, without any query. */
  app: string;
  /** The stream name, without any query ("" when the URL names only the app). */
  name: string;
  /** App query and name query merged, without "?". */
  query: string;
  /** What a client sends as tcUrl: `rtmp://host:port/app[?appquery]`. */
  tcUrl: string;
  /** What a client sends as the app in connect (with the app's own query). */
  connectApp: string;
  /** What a client sends in publish/play (with the name's query). */
  streamName: string;
}

const URL_RE = /^(rtmps?):\/\/(\[[^\]]+\]|[^\/:?#]+)(?::(\d+))?(\/[^#]*)?$/i;

/** Parses a client URL. The app is the first path segment; the rest is the stream name. */
export function parseRtmpUrl(url: string): RtmpUrl {
  const m = URL_RE.exec(url);
  if (!m) throw new ProtocolError(`RTMP URL "${url}" is invalid: must be rtmp[s]://host[:port]/app/name`);
  const tls = m[1].toLowerCase() === "rtmps";
  const host = m[2].replace(/^\[|\]$/g, "");
  const port = m[3] ? Number(m[3]) : tls ? 443 : 1935;
  const path = (m[4] ?? "/").slice(1);
  const slash = path.indexOf("/");
  const connectApp = slash < 0 ? path : path.slice(0, slash);
  const streamName = slash < 0 ? "" : path.slice(slash + 1);
  const a = splitQuery(connectApp);
  const n = splitQuery(streamName);
  const hostPart = m[2] + (m[3] ? `:${m[3]}` : "");
  return {
    tls,
    host,
    port,
    app: a.name,
    name: n.name,
    query: mergeQuery(a.query, n.query),
    tcUrl: `${m[1].toLowerCase()}://${hostPart}/${connectApp}`,
    connectApp,
    streamName,
  };
}

export function splitQuery(s: string): { name: string; query: string } {
  const i = s.indexOf("?");
  return i < 0 ? { name: s, query: "" } : { name: s.slice(0, i), query: s.slice(i + 1) };
}

export function mergeQuery(a: string, b: string): string {
  return a && b ? `${a}&${b}` : a || b;
}

/** The host of a tcUrl (the vhost), or undefined when it has none. */
export function tcUrlHost(tcUrl: string): string | undefined {
  const m = /^[a-z]+:\/\/(\[[^\]]+\]|[^\/:?#]+)/i.exec(tcUrl);
  return m ? m[1].replace(/^\[|\]$/g, "") : undefined;
}

/**
 * The app of a connect command. Some clients put the app's query in the app ("live?token=x"),
 * others only in the tcUrl: take both.
 */
export function connectTarget(app: string, tcUrl: string): { app: string; query: string; vhost: string } {
  const a = splitQuery(app);
  let query = a.query;
  const tcPath = /^[a-z]+:\/\/[^\/]+\/([^#]*)$/i.exec(tcUrl)?.[1];
  if (tcPath !== undefined) {
    const t = splitQuery(tcPath);
    if (t.query && t.query !== query) query = mergeQuery(query, t.query);
  }
  // smart_rtmpd and SRS accept ?vhost=name to name the vhost explicitly.
  const vhostParam = new URLSearchParams(query).get("vhost");
  const vhost = vhostParam || tcUrlHost(tcUrl) || "__defaultVhost__";
  return { app: a.name.replace(/\/+$/, ""), query, vhost };
}
