/**
 * Live DASH. URL layout (every live or record app):
 *
 *   /<app>/<name>.mpd                  dynamic MPD (static once the publisher has left)
 *   /<app>/<name>/dash/init-v-<id>.mp4  video init segment    /<app>/<name>/dash/v<N>.m4s  video segment
 *   /<app>/<name>/dash/init-a-<id>.mp4  audio init segment    /<app>/<name>/dash/a<N>.m4s  audio segment
 *
 * Segment numbers start at the Unix time in seconds, and <id> is the first of them, so URLs are never
 * reused (immutable caching), even when the tracks change and a new init segment is made. A request for
 * the segment being cut (or the next) waits for it; other missing segments are 404 with no-store.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import { DashSegmenter } from "../formats/dash/mod.ts";
import { isEmpty, outputTracks } from "../formats/segment/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { type LiveRoutes, SegmenterRegistry } from "./_segmenters.ts";
import { admitLivePlayer, countServed, notAvailable, playerId, waitForClient } from "./_live_play.ts";

export interface DashOptions {
  /** `<rtmp><hasdash>`. */
  enabled: boolean;
  /** Target segment duration, ms. */
  segmentMs: number;
  /** `<dashduration>`: timeShiftBufferDepth, seconds. */
  windowS: number;
  /** `<dashlivecache>`: most segments listed in the MPD. */
  maxSegments: number;
  /** As HlsOptions.startOnPublish (read once, when the routes are made). */
  startOnPublish: boolean;
  graceMs: number;
  idleMs: number;
}

export function defaultDashOptions(o: Partial<DashOptions> = {}): DashOptions {
  return {
    enabled: true,
    segmentMs: 2000,
    windowS: 10,
    maxSegments: 10,
    startOnPublish: false,
    graceMs: 30_000,
    idleMs: 60_000,
    ...o,
  };
}

const MPD_TYPE = "application/dash+xml";
const IMMUTABLE = "public, max-age=31536000, immutable";

/** The only DASH variant: fMP4, one adaptation set per track. */
const VARIANT = "fmp4";

/**
 * Live DASH over `opts`, read on every request: a reload that assigns new values into the same
 * object reaches new segmenters (running ones keep theirs until they restart).
 */
export function createDashRoutes(deps: HttpDeps, opts: DashOptions = defaultDashOptions()): LiveRoutes {
  const log = deps.log.child({ sess: "dash" });
  const registry = new SegmenterRegistry<DashSegmenter>({
    protocol: "dash",
    limits: () => ({
      graceMs: opts.graceMs,
      idleMs: opts.idleMs,
      playerTimeoutMs: Math.max(10_000, 3 * opts.segmentMs),
    }),
    log,
    sessions: deps.sessions,
  });

  const segmenter = (stream: Stream, pinned = false) =>
    registry.acquire(stream, VARIANT, (tracks, prev) =>
      new DashSegmenter({
        tracks,
        targetMs: opts.segmentMs,
        windowS: opts.windowS,
        maxSegments: opts.maxSegments,
        uriPrefix: `${encodeURIComponent(stream.name)}/dash/`,
        firstNumber: Math.max(prev?.nextNumber ?? 0, Math.floor(Date.now() / 1000)),
      }), { pinned });

  if (opts.startOnPublish) {
    const off = deps.hub.onPublish(async (s) => {
      // The first init segments must describe every track: start once the stream knows them.
      await s.tracksReady;
      if (!opts.enabled || s.isEnded || s.info.relay) return;
      try {
        segmenter(s, true);
      } catch (err) {
        log.error("segmenter start failed", { key: s.key, err });
      }
    });
    deps.sessions?.add(off);
  }

  const mpdResponse = (seg: DashSegmenter) =>
    new Response(seg.mpd(), {
      headers: { "content-type": MPD_TYPE, "cache-control": seg.ended ? "max-age=10" : "max-age=1" },
    });

  async function manifest(c: Context): Promise<Response> {
    const req = c.req.raw;
    const app = c.req.param("app")!;
    const name = c.req.param("file")!.slice(0, -".mpd".length);
    const admitted = await admitLivePlayer(deps, c, { app, name, ext: ".mpd" });
    if ("refused" in admitted) {
      const m = admitted.refused;
      // Within the grace period after the publisher left, players get the final (static) MPD.
      const ended = m.status === 404 ? registry.findEnded(`${app}/${name}`, VARIANT) : undefined;
      if (ended) return mpdResponse(ended);
      return c.json({ code: m.status, msg: m.msg }, m.status);
    }
    const stream = admitted.stream;
    const seg = isEmpty(outputTracks(stream).tracks) ? undefined : segmenter(stream);
    if (!seg) return c.json({ code: 404, msg: `stream ${stream.key} has no track DASH can carry` }, 404);
    // Two segments before the first MPD: a player starting on a young stream then has a segment
    // of margin instead of stalling at every segment boundary.
    const ok = await waitForClient(
      seg,
      () => seg.segmentCount >= 2,
      req,
      Math.max(10_000, 4 * opts.segmentMs),
    );
    if (!ok && seg.segmentCount === 0) {
      return c.json({ code: 503, msg: `stream ${stream.key} has no complete segment yet` }, 503);
    }
    registry.seen(stream.key, VARIANT, playerId(c));
    return mpdResponse(seg);
  }

  const app = new Hono();
  app.get("/:app/:file{[^/]+\\.mpd}", async (c, next) => {
    if (!opts.enabled) return await next();
    return await manifest(c);
  });
  app.get("/:app/:name/dash/:file", async (c, next) => {
    const { app, name, file } = c.req.param();
    const m = /^(?:init-([va])-(\d+)\.mp4|([va])(\d+)\.m4s)$/.exec(file);
    const seg = m ? registry.find(`${app}/${name}`, VARIANT) : undefined;
    if (!m || !seg) return await next();
    const kind = (m[1] ?? m[3]) === "v" ? "video" : "audio";
    const n = Number(m[4]);
    let bytes = m[1] ? seg.init(kind, Number(m[2])) : seg.segment(kind, n);
    // Asked just early (players and CDN edges do): answer when the segment is complete.
    if (!bytes && !m[1] && seg.isUpcoming(kind, n)) {
      await waitForClient(seg, () => seg.segment(kind, n) !== undefined, c.req.raw, 3 * opts.segmentMs);
      bytes = seg.segment(kind, n);
    }
    if (!bytes) return notAvailable(c, `${app}/${name}/dash/${file}`);
    countServed(deps, `${app}/${name}`, bytes);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": m[1] ? "video/mp4" : "video/iso.segment",
        "cache-control": IMMUTABLE,
        "content-length": String(bytes.byteLength),
      },
    });
  });
  return { app, stats: () => registry.stats() };
}

/** The DASH routes alone (for a feature list). */
export function routes(deps: HttpDeps, opts: DashOptions = defaultDashOptions()): Hono {
  return createDashRoutes(deps, opts).app;
}

export { routes as dashRoutes };
