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
import type { Stream } from "../core/mod.ts";
import { DashSegmenter } from "../formats/dash/mod.ts";
import { isEmpty, outputTracks } from "../formats/segment/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { type LiveRoutes, SegmenterRegistry } from "./_segmenters.ts";
import {
  admitLivePlayer,
  clientId,
  countServed,
  hotLivePath,
  type LivePlayRequest,
  livePlayRequest,
  notAvailable,
  waitForClient,
} from "./_live_play.ts";
import type { HotRequest } from "./front/mod.ts";
import { type Answer, answerBytes, answerResponse } from "./_answer.ts";
import { CORS_FIELDS } from "./cors_headers.ts";
import { PrebuiltCache, PrebuiltResponse } from "./prebuilt.ts";

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
const ENC = new TextEncoder();
const MEDIA_FILE = /^(?:init-([va])-(\d+)\.mp4|([va])(\d+)\.m4s)$/;
const INIT_FIELDS = [...CORS_FIELDS, ["content-type", "video/mp4"], ["cache-control", IMMUTABLE]] as const;
const SEGMENT_FIELDS = [...CORS_FIELDS, ["content-type", "video/iso.segment"], [
  "cache-control",
  IMMUTABLE,
]] as const;

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
  const media = new PrebuiltCache();

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

  // The MPD carries its publish time: rendered per request, but written as one prebuilt buffer.
  const mpdAnswer = (seg: DashSegmenter) =>
    new PrebuiltResponse(
      200,
      [...CORS_FIELDS, ["content-type", MPD_TYPE], ["cache-control", seg.ended ? "max-age=10" : "max-age=1"]],
      ENC.encode(seg.mpd()),
    );

  /** A manifest request's answer (`req` given on the routed path: waits end when the client leaves). */
  async function manifestAnswer(
    r: LivePlayRequest,
    userAgent: string | undefined,
    req?: Request,
  ): Promise<Answer> {
    const admitted = await admitLivePlayer(deps, r);
    if ("refused" in admitted) {
      const m = admitted.refused;
      // Within the grace period after the publisher left, players get the final (static) MPD.
      const ended = m.status === 404 ? registry.findEnded(`${r.app}/${r.name}`, VARIANT) : undefined;
      if (ended) return mpdAnswer(ended);
      return { status: m.status, msg: m.msg };
    }
    const stream = admitted.stream;
    const seg = isEmpty(outputTracks(stream).tracks) ? undefined : segmenter(stream);
    if (!seg) return { status: 404, msg: `stream ${stream.key} has no track DASH can carry` };
    // Two segments before the first MPD: a player starting on a young stream then has a segment
    // of margin instead of stalling at every segment boundary.
    const ok = await waitForClient(
      seg,
      () => seg.segmentCount >= 2,
      req,
      Math.max(10_000, 4 * opts.segmentMs),
    );
    if (!ok && seg.segmentCount === 0) {
      return { status: 503, msg: `stream ${stream.key} has no complete segment yet` };
    }
    registry.seen(stream.key, VARIANT, clientId(r.remote, userAgent));
    return mpdAnswer(seg);
  }

  /** An init segment or segment held now; undefined when not (yet) there. */
  function heldMedia(key: string, file: string): PrebuiltResponse | undefined {
    const m = MEDIA_FILE.exec(file);
    const seg = m ? registry.find(key, VARIANT) : undefined;
    if (!m || !seg) return undefined;
    const kind = (m[1] ?? m[3]) === "v" ? "video" : "audio";
    const bytes = m[1] ? seg.init(kind, Number(m[2])) : seg.segment(kind, Number(m[4]));
    if (!bytes) return undefined;
    countServed(deps, key, bytes);
    return media.get(bytes, m[1] ? INIT_FIELDS : SEGMENT_FIELDS);
  }

  /** The front's hot route: MPDs and the segments held now; anything else goes to the routes below. */
  function hot(r: HotRequest): Uint8Array | Promise<Uint8Array> | undefined {
    if (!opts.enabled) return undefined;
    const h = hotLivePath(r, ".mpd");
    if (!h) return undefined;
    if ("manifest" in h) {
      return manifestAnswer(h.manifest, r.header("user-agent") || undefined).then(answerBytes);
    }
    if (!h.rest.startsWith("dash/") || h.rest.indexOf("/", 5) >= 0) return undefined;
    return heldMedia(`${h.app}/${h.name}`, h.rest.slice(5))?.now();
  }

  const app = new Hono();
  app.get("/:app/:file{[^/]+\\.mpd}", async (c, next) => {
    if (!opts.enabled) return await next();
    const name = c.req.param("file")!.slice(0, -".mpd".length);
    const lp = livePlayRequest(c, { app: c.req.param("app")!, name, ext: ".mpd" });
    return answerResponse(c, await manifestAnswer(lp, c.req.header("user-agent"), c.req.raw));
  });
  app.get("/:app/:name/dash/:file", async (c, next) => {
    const { app, name, file } = c.req.param();
    const m = MEDIA_FILE.exec(file);
    const key = `${app}/${name}`;
    const seg = m ? registry.find(key, VARIANT) : undefined;
    if (!m || !seg) return await next();
    let held = heldMedia(key, file);
    // Asked just early (players and CDN edges do): answer when the segment is complete.
    const kind = (m[1] ?? m[3]) === "v" ? "video" : "audio";
    const n = Number(m[4]);
    if (!held && !m[1] && seg.isUpcoming(kind, n)) {
      await waitForClient(seg, () => seg.segment(kind, n) !== undefined, c.req.raw, 3 * opts.segmentMs);
      held = heldMedia(key, file);
    }
    if (!held) return notAvailable(c, `${key}/dash/${file}`);
    return answerResponse(c, held);
  });
  return { app, stats: () => registry.stats(), hot };
}

/** The DASH routes alone (for a feature list). */
export function routes(deps: HttpDeps, opts: DashOptions = defaultDashOptions()): Hono {
  return createDashRoutes(deps, opts).app;
}

export { routes as dashRoutes };
