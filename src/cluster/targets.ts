/**
 * Which servers a published stream is pushed to (policy.xml, docs/config.md "policy.xml"):
 *   vhost rules match the stream's tcUrl `rtmp://<vhost>/<app>`: every stream of that app; a non-empty
 *   rewrite is a tcUrl, and `/<stream>` is appended;
 *   url rules match `rtmp://<vhost>/<app>/<stream>`: that one stream; a non-empty rewrite is the whole URL.
 * Names compare without the port, the case of scheme and host, a trailing slash or a query: a stream
 * is known by its host, never by the port it came in on.
 */
import type { Policy, PolicyForward } from "../config/mod.ts";

export interface ForwardTarget {
  /** Where to connect. */
  host: string;
  port: number;
  /** The URL to publish as (its tcUrl and stream name are what the target is told). */
  url: string;
  tls: boolean;
}

/** The tcUrl a stream was published under. */
export interface StreamSource {
  tcUrl: string;
  stream: string;
}

/** Hosts a stream may name that mean "no host": RTMP without a tcUrl host, SRT without one in its id. */
const NO_HOST = new Set(["", "__defaultVhost__"]);

/**
 * The tcUrl of a published stream, whatever protocol brought it: RTMP keeps its tcUrl's host, RTSP its
 * URL's host; a stream that named no host (SRT's short stream id) is under this server's own host.
 */
export function sourceOf(s: { vhost: string; app: string; name: string }, ownHost: string): StreamSource {
  const host = NO_HOST.has(s.vhost) ? ownHost : s.vhost;
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return { tcUrl: `rtmp://${h}/${s.app}`, stream: s.name };
}

/** The pushes a newly published stream triggers, vhost rules first, in file order. */
export function forwardTargets(policy: Policy, src: StreamSource): ForwardTarget[] {
  const tcUrl = src.tcUrl.replace(/\/+$/, "");
  const source = `${tcUrl}/${src.stream}`;
  const out: ForwardTarget[] = [];
  const add = (f: PolicyForward, url: string) => {
    const tls = /^rtmps:/i.test(url);
    const m = /^(.*?)(?::(\d+))?$/.exec(f.target)!;
    // Without a port: the rewrite URL's (never the source's: that is the port it came in on here).
    const port = m[2] ? Number(m[2]) : (f.rewrite && urlPort(url)) || (tls ? 443 : 1935);
    out.push({ host: m[1].replace(/^\[|\]$/g, ""), port, url, tls });
  };
  for (const r of policy.vhosts) {
    if (!sameUrl(r.name, tcUrl)) continue;
    for (const f of r.forwards) {
      add(f, f.rewrite === "" ? source : `${f.rewrite.replace(/\/+$/, "")}/${src.stream}`);
    }
  }
  for (const r of policy.urls) {
    if (!sameUrl(r.name, source)) continue;
    for (const f of r.forwards) add(f, f.rewrite === "" ? source : f.rewrite);
  }
  return out;
}

function urlPort(url: string): number | undefined {
  const m = /^[a-z]+:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)(\/|$)/i.exec(url);
  return m ? Number(m[1]) : undefined;
}

/** Compares URLs ignoring scheme/host case, the port, a trailing slash and a query. */
export function sameUrl(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

function normalize(u: string): string {
  const m = /^([a-z]+):\/\/(\[[^\]]*\]|[^/?:]+)(?::\d+)?([^?]*)/i.exec(u.trim());
  if (!m) return u.trim();
  return `${m[1].toLowerCase()}://${m[2].toLowerCase()}${m[3].replace(/\/+$/, "")}`;
}
