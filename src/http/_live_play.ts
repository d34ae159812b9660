/**
 * What an HLS or DASH manifest request does before its own part: admission through the hub (the
 * same rules and auth callback as every player), then a bounded wait for the stream's tracks, so
 * the segmenter it starts describes every track from its first init segment.
 */
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { admissionStatus, type RefusalStatus } from "./refusals.ts";
import { remoteAddr, requestHost } from "./request.ts";
import { tracksReady } from "./_segmenter_output.ts";
import { type Waitable, waitAtMost } from "../formats/segment/mod.ts";

/** The admitted stream, or the refusal to answer with. */
export type Admission = { stream: Stream } | { refused: { status: RefusalStatus; msg: string } };

export async function admitLivePlayer(
  deps: HttpDeps,
  c: Context,
  o: { app: string; name: string; ext: string },
): Promise<Admission> {
  const req = c.req.raw;
  let stream: Stream;
  try {
    stream = await deps.hub.play({
      role: "player",
      protocol: "http",
      app: o.app,
      name: o.name,
      vhost: requestHost(req),
      query: new URL(req.url).search.slice(1),
      ext: o.ext,
      remote: remoteAddr(c.env),
    }, { waitMs: 0 });
  } catch (err) {
    const refused = admissionStatus(err);
    if (!refused) throw err;
    return { refused };
  }
  // Deno warns once a handler reads request.signal: read it only when there is a wait.
  if (!stream.isTracksReady) await tracksReady(stream, req.signal);
  return { stream };
}

/** Waits on a segmenter until `ready()` holds, at most `timeoutMs`, and only while the client stays. */
export function waitForClient(
  target: Waitable,
  ready: () => boolean,
  req: Request,
  timeoutMs: number,
): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return waitAtMost(target, ready, { timeoutMs, signal: req.signal });
}

/** Who polls: address (without port: players open new connections) and user agent. */
export function playerId(c: Context): string {
  return `${remoteAddr(c.env).replace(/:\d+$/, "")}|${c.req.header("user-agent")}`;
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
