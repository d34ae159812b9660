/**
 * What an HLS or DASH manifest request does before its own part: admission through the hub (the
 * same rules and auth callback as every player), then a bounded wait for the stream's tracks, so
 * the segmenter it starts describes every track from its first init segment.
 */
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { admissionStatus, type RefusalStatus } from "./refusals.ts";
import { hostName, remoteAddr, requestHost } from "./request.ts";
import type { HotRequest } from "./front/mod.ts";
import { tracksReady } from "./_segmenter_output.ts";
import { type Waitable, waitAtMost } from "../formats/segment/mod.ts";

/** The admitted stream, or the refusal to answer with. */
export type Admission = { stream: Stream } | { refused: { status: RefusalStatus; msg: string } };

/** Who asks for a playlist or manifest, from a fetch Request or from the front's hot route. */
export interface LivePlayRequest {
  app: string;
  name: string;
  ext: string;
  /** Host without the port (the vhost). */
  vhost: string;
  /** The query without "?". */
  query: string;
  /** "address:port". */
  remote: string;
  /** The client left (a bounded wait stops early); absent on the hot route, whose waits are bounded. */
  signal?: () => AbortSignal;
}

/**
 * The query admission (and so the auth callback) sees: the player's own, without LL-HLS's delivery
 * directives (`_HLS_msn`, `_HLS_part`, `_HLS_skip`), which change with every playlist poll and would
 * make each poll a new question.
 */
export function admissionQuery(query: string): string {
  if (!query.includes("_HLS_")) return query;
  return query.split("&").filter((kv) => !/^_HLS_(msn|part|skip)(=|$)/.test(kv)).join("&");
}

/** A LivePlayRequest from a routed request. */
export function livePlayRequest(c: Context, o: { app: string; name: string; ext: string }): LivePlayRequest {
  const req = c.req.raw;
  return {
    ...o,
    vhost: requestHost(req),
    query: admissionQuery(new URL(req.url).search.slice(1)),
    remote: remoteAddr(c.env),
    // Deno warns once a handler reads request.signal: read it only when there is a wait.
    signal: () => req.signal,
  };
}

/**
 * A hot-route path of a segmented output: the manifest `/<app>/<name><ext>` as a LivePlayRequest, or
 * media below it, `/<app>/<name>/<rest>`; undefined for anything else, and for a percent-encoded path
 * (the routes below decode and check it).
 */
export function hotLivePath(
  r: HotRequest,
  ext: string,
): { manifest: LivePlayRequest } | { app: string; name: string; rest: string } | undefined {
  const p = r.path;
  const a = p.indexOf("/", 1);
  if (a < 2 || p.includes("%")) return undefined;
  const b = p.indexOf("/", a + 1);
  if (b >= 0) {
    return b === a + 1 ? undefined : { app: p.slice(1, a), name: p.slice(a + 1, b), rest: p.slice(b + 1) };
  }
  if (!p.endsWith(ext) || p.length - a - 1 <= ext.length) return undefined;
  return {
    manifest: {
      app: p.slice(1, a),
      name: p.slice(a + 1, -ext.length),
      ext,
      vhost: hostName(r.host),
      query: admissionQuery(r.query),
      remote: `${r.remoteAddr.hostname}:${r.remoteAddr.port}`,
    },
  };
}

export async function admitLivePlayer(deps: HttpDeps, r: LivePlayRequest): Promise<Admission> {
  let stream: Stream;
  try {
    stream = await deps.hub.play({
      role: "player",
      protocol: "http",
      app: r.app,
      name: r.name,
      vhost: r.vhost,
      query: r.query,
      ext: r.ext,
      remote: r.remote,
    }, { waitMs: 0 });
  } catch (err) {
    const refused = admissionStatus(err);
    if (!refused) throw err;
    return { refused };
  }
  if (!stream.isTracksReady) await tracksReady(stream, r.signal?.());
  return { stream };
}

/** Waits on a segmenter until `ready()` holds, at most `timeoutMs`, and only while the client stays. */
export function waitForClient(
  target: Waitable,
  ready: () => boolean,
  req: Request | undefined,
  timeoutMs: number,
): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return waitAtMost(target, ready, { timeoutMs, signal: req?.signal });
}

/**
 * Who polls: address (without port: players open new connections, "host:port" given) and user
 * agent.
 */
export function clientId(remote: string, userAgent: string | undefined): string {
  const i = remote.lastIndexOf(":");
  return `${i < 0 ? remote : remote.slice(0, i)}|${userAgent}`;
}

/** Segments served count as the stream's outbound bytes (paths_outbound_bytes), as fan-out writes do. */
export function countServed(deps: HttpDeps, key: string, bytes: Uint8Array): void {
  const stream = deps.hub.get(key);
  if (stream) stream.stats.bytesOut += bytes.byteLength;
}

/** A segment that is not (or no longer) there: 404 that is never cached, so a CDN edge asks again. */
export function notAvailable(c: Context, what: string): Response {
  c.header("cache-control", "no-store");
  return c.json({ code: 404, msg: `${what} is not available` }, 404);
}
