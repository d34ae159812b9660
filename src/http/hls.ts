/**
 * Live HLS. URL layout (every live or record app, not only `live`):
 *
 *   /<app>/<name>.m3u8            media playlist; TS by default, fMP4 with `?fmp4` (or hlsfmp4, or
 *                                 when the codecs need it: H.265, Opus, AV1); `?ts` forces TS.
 *                                 LL-HLS (fMP4 only) with `?ll` or llhls; `_HLS_msn`/`_HLS_part`
 *                                 block until that part exists.
 *   /<app>/<name>/<msn>.ts        TS segment          /<app>/<name>/init-<id>.mp4  fMP4 init segment
 *   /<app>/<name>/<msn>.m4s       fMP4 segment        /<app>/<name>/p<n>.m4s   LL-HLS part (global n)
 *
 * Media sequence numbers start at the Unix time in seconds when the segmenter starts (and continue
 * across republishes), so a segment URL is never reused, even across restarts, and segments can be
 * cached as immutable.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Lease, Stream } from "../core/mod.ts";
import {
  createFmp4Writer,
  HlsSegmenter,
  needsFmp4,
  type SegmentWriter,
  TsSegmentWriter,
} from "../formats/hls/mod.ts";
import { isEmpty, type OutputTracks, outputTracks, primaryKind } from "../formats/segment/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { type LiveRoutes, SegmenterRegistry } from "./_segmenters.ts";
import {
  admitLivePlayer,
  clientId,
  countServed,
  hotLivePath,
  type LivePlayRequest,
  livePlayRequest,
  waitForClient,
} from "./_live_play.ts";
import type { HotRequest } from "./front/mod.ts";
import { type Answer, answerBytes, answerResponse } from "./_answer.ts";
import { CORS_FIELDS } from "./cors_headers.ts";
import { PrebuiltCache, PrebuiltResponse } from "./prebuilt.ts";
import { aacOutput, type AacView, needsAacView } from "../transcode/mod.ts";

export interface HlsOptions {
  /** `<rtmp><hashls>`. */
  enabled: boolean;
  /** `<hlsduration>` in ms: target segment duration. */
  targetMs: number;
  /** `<hlssegment>`: segments listed in the playlist. */
  windowSize: number;
  /** `<hlslivecache>`: extra segments kept after they leave the playlist. */
  cacheSize: number;
  /** `<hlsfmp4>`: fMP4 is the default variant. */
  fmp4: boolean;
  /** `<llhls>`: low-latency playlists on the fMP4 variant by default. */
  llhls: boolean;
  /** LL-HLS part target, ms. */
  partTargetMs: number;
  /**
   * Start segmenters when a stream is published (once its tracks are known), not on the first
   * request. The only option read once, when the routes are made.
   */
  startOnPublish: boolean;
  /** How long a segmenter outlives its publisher (players get the end of the stream). */
  graceMs: number;
  /** A segmenter nobody asked for this long is stopped. */
  idleMs: number;
}

export function defaultHlsOptions(o: Partial<HlsOptions> = {}): HlsOptions {
  return {
    enabled: true,
    targetMs: 5000,
    windowSize: 3,
    cacheSize: 4,
    fmp4: false,
    llhls: false,
    partTargetMs: 334,
    startOnPublish: false,
    graceMs: 30_000,
    idleMs: 60_000,
    ...o,
  };
}

type Variant = "ts" | "fmp4";

/** How often an Opus source's AAC view is checked for a TS segmenter still using it. */
const VIEW_CHECK_MS = 10_000;

const PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
const IMMUTABLE = "public, max-age=31536000, immutable";
const ENC = new TextEncoder();

/**
 * Live HLS over `opts`, read on every request: a reload that assigns new values into the same
 * object reaches new segmenters (running ones keep theirs until they restart).
 */
export function createHlsRoutes(deps: HttpDeps, opts: HlsOptions = defaultHlsOptions()): LiveRoutes {
  const log = deps.log.child({ sess: "hls" });
  const registry = new SegmenterRegistry<HlsSegmenter>({
    protocol: "hls",
    limits: () => ({
      graceMs: opts.graceMs,
      idleMs: opts.idleMs,
      playerTimeoutMs: Math.max(10_000, 3 * opts.targetMs),
    }),
    log,
    sessions: deps.sessions,
  });
  const playlists = new PlaylistCache();
  const media = new PrebuiltCache();

  /**
   * MPEG-TS has no Opus: an Opus source's TS variant is segmented from its AAC view (the audio
   * transcoded once per stream), held from the first TS request while its TS segmenter lives (looked
   * at every VIEW_CHECK_MS) or until the source ends.
   */
  const views = new Map<Stream, Lease<AacView>>();
  // With `<rtc><transcode>` off the TS variant carries the Opus as it is: said once per stream.
  const untranscoded = new WeakSet<Stream>();
  const tsSource = (stream: Stream): Stream => {
    if (!needsAacView(stream) || stream.isEnded) return stream;
    let lease = views.get(stream);
    if (!lease) {
      const src = aacOutput(stream, deps.options.aac, untranscoded.has(stream) ? undefined : log);
      if (!src.view) {
        untranscoded.add(stream);
        return stream;
      }
      const held = src.view;
      views.set(stream, held);
      const drop = () => {
        clearInterval(check);
        if (views.get(stream) === held) views.delete(stream);
        held.release();
      };
      const check = setInterval(() => {
        if (!held.value.stream.outputs.has("hls:ts")) drop();
      }, VIEW_CHECK_MS);
      stream.ended.then(drop);
      lease = held;
    }
    return lease.value.stream;
  };

  const segmenter = (source: Stream, variant: Variant, pinned = false): HlsSegmenter | undefined => {
    const stream = variant === "ts" ? tsSource(source) : source;
    return registry.acquire(stream, variant, (tracks, prev) => {
      const writer: SegmentWriter = variant === "ts" ? new TsSegmentWriter(tracks) : createFmp4Writer(tracks);
      return new HlsSegmenter({
        writer,
        tracks,
        primary: primaryKind(tracks),
        targetMs: opts.targetMs,
        partTargetMs: variant === "fmp4" ? opts.partTargetMs : undefined,
        windowSize: opts.windowSize,
        cacheSize: opts.cacheSize,
        uriPrefix: `${encodeURIComponent(stream.name)}/`,
        firstMsn: Math.max(prev?.nextMsn ?? 0, Math.floor(Date.now() / 1000)),
        continues: prev ? { discontinuitySequence: prev.nextDiscontinuitySequence } : undefined,
      });
    }, { pinned });
  };

  if (opts.startOnPublish) {
    const off = deps.hub.onPublish(async (s) => {
      // The first init segment must describe every track: start once the stream knows them.
      await s.tracksReady;
      if (!opts.enabled || s.isEnded || s.info.relay) return;
      try {
        // An Opus source is segmented as it is (fMP4) until a TS player asks: no transcoding up front.
        const tracks = outputTracks(s).tracks;
        segmenter(s, needsAacView(s) ? "fmp4" : variantFor(tracks, undefined), true);
      } catch (err) {
        log.error("segmenter start failed", { key: s.key, err });
      }
    });
    deps.sessions?.add(off);
  }

  function variantFor(tracks: OutputTracks, q: URLSearchParams | undefined): Variant {
    // Opus audio alone does not force fMP4: TS carries it transcoded to AAC (the AAC view).
    if (needsFmp4(tracks.audio?.codec === "opus" ? { video: tracks.video } : tracks)) return "fmp4";
    if (q?.has("fmp4")) return "fmp4";
    if (q?.has("ts")) return "ts";
    return opts.fmp4 ? "fmp4" : "ts";
  }

  /**
   * A playlist request's answer, from a routed request (`req` given: waits end when the client
   * leaves) or from the front's hot route (waits end at their bound).
   */
  async function playlistAnswer(
    r: LivePlayRequest,
    q: URLSearchParams,
    userAgent: string | undefined,
    req?: Request,
  ): Promise<Answer> {
    const admitted = await admitLivePlayer(deps, r);
    if ("refused" in admitted) {
      const m = admitted.refused;
      // Within the grace period after the publisher left, players get the final playlist (ENDLIST).
      const ended = m.status === 404 ? endedSegmenter(`${r.app}/${r.name}`, q) : undefined;
      if (ended) return playlists.get(ended, { lowLatency: false, blocking: false });
      return { status: m.status, msg: m.msg };
    }
    const stream = admitted.stream;
    const tracks = outputTracks(stream).tracks;
    const variant = variantFor(tracks, q);
    const seg = isEmpty(tracks) ? undefined : segmenter(stream, variant);
    if (!seg) return { status: 404, msg: `stream ${stream.key} has no track HLS can carry` };
    const ll = variant === "fmp4" && (opts.llhls || q.has("ll") || q.has("llhls"));
    const target = seg.targetDuration * 1000;
    let blocking = false;
    const msnParam = q.get("_HLS_msn");
    if (msnParam !== null && ll) {
      const msn = Number(msnParam), partParam = q.get("_HLS_part");
      const part = partParam === null ? undefined : Number(partParam);
      if (
        !Number.isInteger(msn) || msn < 0 || (part !== undefined && (!Number.isInteger(part) || part < 0))
      ) {
        return { status: 400, msg: `_HLS_msn=${msnParam} _HLS_part=${partParam} must be integers >= 0` };
      }
      if (seg.isTooFarAhead(msn)) {
        return { status: 400, msg: `_HLS_msn=${msn} is more than two segments ahead of the live edge` };
      }
      blocking = true;
      const ok = await waitForClient(seg, () => seg.hasPosition(msn, part), req, 3 * target);
      if (!ok && !seg.ended) return { status: 503, msg: `segment ${msn} part ${part} not ready` };
    } else {
      // A playlist without a segment makes most players give up: hold the first request.
      const ok = await waitForClient(seg, () => seg.segmentCount > 0, req, Math.max(10_000, 3 * target));
      if (!ok && seg.segmentCount === 0) {
        return { status: 503, msg: `stream ${stream.key} has no complete segment yet` };
      }
    }
    registry.seen(stream.key, variant, clientId(r.remote, userAgent));
    return playlists.get(seg, { lowLatency: ll, blocking });
  }

  function endedSegmenter(key: string, q: URLSearchParams): HlsSegmenter | undefined {
    const order: Variant[] = q.has("fmp4") || (opts.fmp4 && !q.has("ts")) ? ["fmp4", "ts"] : ["ts", "fmp4"];
    for (const v of order) {
      const seg = registry.findEnded(key, v);
      if (seg) return seg;
    }
    return undefined;
  }

  /** A segment, part or init segment held now, with its headers; undefined when not (yet) there. */
  function heldMedia(key: string, file: string): PrebuiltResponse | undefined {
    const m = MEDIA_FILE.exec(file);
    if (!m) return undefined;
    const seg = registry.find(key, m[2] === "ts" ? "ts" : "fmp4");
    if (!seg) return undefined;
    let bytes: Uint8Array | undefined, fields = SEGMENT_FIELDS.fmp4;
    if (m[1] !== undefined) {
      bytes = seg.segment(Number(m[1]));
      if (m[2] === "ts") fields = SEGMENT_FIELDS.ts;
    } else if (m[4] !== undefined) bytes = seg.part(Number(m[4]));
    else if (`init-${m[3]}.mp4` === seg.initName) {
      bytes = seg.init;
      fields = SEGMENT_FIELDS.init;
    }
    if (!bytes) return undefined;
    countServed(deps, key, bytes);
    return media.get(bytes, fields);
  }

  /**
   * A media request's answer: what is held now, else (a preload hint asks for the next part before
   * it exists) the part once it is made, else 404. Undefined when no segmenter serves `key`.
   */
  function mediaAnswer(key: string, file: string, req?: Request): Answer | Promise<Answer> | undefined {
    const m = MEDIA_FILE.exec(file);
    if (!m) return undefined;
    const seg = registry.find(key, m[2] === "ts" ? "ts" : "fmp4");
    if (!seg) return undefined;
    const held = heldMedia(key, file);
    if (held) return held;
    const missing = { status: 404, msg: `${key}/${file} is not available`, noStore: true };
    const n = Number(m[4]);
    if (m[4] === undefined || !seg.isUpcomingPart(n)) return missing;
    return waitForClient(seg, () => seg.part(n) !== undefined, req, 3 * seg.targetDuration * 1000)
      .then(() => heldMedia(key, file) ?? missing);
  }

  async function routedMedia(c: Context, next: () => Promise<void>): Promise<Response | void> {
    const app = c.req.param("app")!, name = c.req.param("name")!, file = c.req.param("file")!;
    const a = mediaAnswer(`${app}/${name}`, file, c.req.raw);
    if (!a) return await next();
    return answerResponse(c, await a);
  }

  /**
   * The front's hot route: playlists (blocking reloads included), segments, parts and init
   * segments, answered with prebuilt bytes. A percent-encoded path, or media of a stream no
   * segmenter serves, goes to the routes below.
   */
  function hot(r: HotRequest): Uint8Array | Promise<Uint8Array> | undefined {
    if (!opts.enabled) return undefined;
    const h = hotLivePath(r, ".m3u8");
    if (!h) return undefined;
    if ("manifest" in h) {
      const q = r.query ? new URLSearchParams(r.query) : NO_QUERY;
      return playlistAnswer(h.manifest, q, r.header("user-agent") || undefined).then(answerBytes);
    }
    if (h.rest.includes("/")) return undefined;
    const answer = mediaAnswer(`${h.app}/${h.name}`, h.rest);
    if (answer === undefined) return undefined;
    return answer instanceof PrebuiltResponse ? answer.now() : Promise.resolve(answer).then(answerBytes);
  }

  const app = new Hono();
  app.get("/:app/:file{[^/]+\\.m3u8}", async (c, next) => {
    if (!opts.enabled) return await next();
    const name = c.req.param("file")!.slice(0, -".m3u8".length);
    const lp = livePlayRequest(c, { app: c.req.param("app")!, name, ext: ".m3u8" });
    const a = await playlistAnswer(
      lp,
      new URL(c.req.url).searchParams,
      c.req.header("user-agent"),
      c.req.raw,
    );
    return answerResponse(c, a);
  });
  app.get("/:app/:name/:file{[^/]+\\.(?:ts|m4s|mp4)}", async (c, next) => {
    if (!opts.enabled) return await next();
    return await routedMedia(c, next);
  });
  return { app, stats: () => registry.stats(), hot };
}

/** The HLS routes alone (for a feature list). */
export function routes(deps: HttpDeps, opts: HlsOptions = defaultHlsOptions()): Hono {
  return createHlsRoutes(deps, opts).app;
}

const NO_QUERY = new URLSearchParams();
const MEDIA_FILE = /^(?:(\d+)\.(ts|m4s)|init-(\d+)\.mp4|p(\d+)\.m4s)$/;
const segmentFields = (type: string) =>
  [...CORS_FIELDS, ["content-type", type], ["cache-control", IMMUTABLE]] as const;
const SEGMENT_FIELDS = {
  ts: segmentFields("video/mp2t"),
  fmp4: segmentFields("video/iso.segment"),
  init: segmentFields("video/mp4"),
};

/** Each segmenter's playlists, rendered once per version and kind (low-latency, blocking). */
class PlaylistCache {
  readonly #map = new WeakMap<HlsSegmenter, ({ version: number; res: PrebuiltResponse } | undefined)[]>();

  get(seg: HlsSegmenter, o: { lowLatency: boolean; blocking: boolean }): PrebuiltResponse {
    const i = (o.lowLatency ? 1 : 0) + (o.blocking ? 2 : 0);
    let list = this.#map.get(seg);
    if (!list) this.#map.set(seg, list = []);
    const hit = list[i];
    if (hit && hit.version === seg.version) return hit.res;
    // Blocking responses have unique URLs and may be cached; others change every segment.
    const target = seg.targetDuration;
    const cache = seg.ended
      ? `public, max-age=${target}`
      : o.blocking
      ? `public, max-age=${6 * target}`
      : o.lowLatency
      ? "no-cache"
      : "max-age=1";
    const res = new PrebuiltResponse(
      200,
      [...CORS_FIELDS, ["content-type", PLAYLIST_TYPE], ["cache-control", cache]],
      ENC.encode(seg.playlist({ lowLatency: o.lowLatency })),
    );
    list[i] = { version: seg.version, res };
    return res;
  }
}

export { routes as hlsRoutes };
