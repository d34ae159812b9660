/**
 * HTTP-FLV and WS-FLV at `/<app>/<name>.flv`: the same bytes from one shared Fanout per stream
 * (and per FLV form). `?form=enhanced` asks for E-RTMP FourCC headers (e.g. HEVC as hvc1);
 * the default is the legacy form (HEVC as codec id `codech265`, as flv.js/mpegts.js expect).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { Fanout, type FanoutOptions, type Lease, type Stream, type Subscriber } from "../core/mod.ts";
import type { HttpDeps, HttpOptions } from "./deps.ts";
import { PullBody } from "./pull_body.ts";
import { remoteAddr, requestHost } from "./request.ts";
import { WsSink } from "./ws_sink.ts";
import type { FrontEnv } from "./front/mod.ts";
import { admissionStatus } from "./refusals.ts";
import { FlvFanoutMuxer, type FlvFanoutMuxerOptions, type FlvVideoForm } from "../formats/flv/mod.ts";
import { aacOutput, needsAacView } from "../transcode/mod.ts";
import type { Logger } from "../log/mod.ts";

let nextId = 1;

const fanoutId = (form: FlvVideoForm) => `flv:${form}`;

/** Where each fan-out option lives in the HTTP options. */
const FANOUT_FROM = {
  batchMs: "flvBatchMs",
  maxBatchMs: "flvMaxBatchMs",
  deliveryShare: "flvDeliveryShare",
  maxQueueBytes: "flvMaxQueueBytes",
  maxDrops: "flvMaxDrops",
  stallMs: "flvStallMs",
  fastStart: "fastStart",
} as const satisfies Record<keyof FanoutOptions, keyof HttpOptions>;

/**
 * The fan-out options as a live view of the HTTP options: a reload edits those in place, and every
 * running FLV fan-out re-reads its batch window and limits on its next flush.
 */
function fanoutOptions(o: HttpOptions): FanoutOptions {
  const view = {} as FanoutOptions;
  for (const [key, from] of Object.entries(FANOUT_FROM)) {
    Object.defineProperty(view, key, { get: () => o[from], enumerable: true });
  }
  return view;
}

/**
 * The one FLV fan-out of a stream for a form; the last player's release stops it. Legacy FLV has no
 * Opus: a stream whose audio is Opus is played from its AAC view (the audio transcoded once per stream).
 */
function flvFanout(
  deps: HttpDeps,
  fanout: FanoutOptions,
  stream: Stream,
  form: FlvVideoForm,
  log: Logger = deps.log,
): Lease<Fanout> {
  const src = form === "legacy" && needsAacView(stream)
    ? aacOutput(stream, deps.options.aac, log)
    : undefined;
  if (src?.view) {
    const view = src.view;
    const inner = plainFanout(deps, fanout, src.stream, form);
    return {
      value: inner.value,
      release: (lingerMs) => {
        inner.release(lingerMs);
        view.release(lingerMs);
      },
    };
  }
  return plainFanout(deps, fanout, stream, form);
}

function plainFanout(
  deps: HttpDeps,
  fanout: FanoutOptions,
  stream: Stream,
  form: FlvVideoForm,
): Lease<Fanout> {
  return stream.outputs.acquire(
    fanoutId(form),
    () => new Fanout(stream, new FlvFanoutMuxer(stream, muxOptions(deps, stream, form)), fanout),
  );
}

function muxOptions(deps: HttpDeps, stream: Stream, form: FlvVideoForm): FlvFanoutMuxerOptions {
  return {
    form,
    hevcCodecId: deps.options.hevcCodecId,
    // One unmuxable frame (e.g. a huge composition offset) is dropped; the first one is logged.
    onSkip: (err) => deps.log.warn("flv mux dropped a frame", { key: stream.key, err }),
  };
}

async function play(deps: HttpDeps, fanoutOpts: FanoutOptions, c: Context): Promise<Response> {
  const req = c.req.raw;
  const app = c.req.param("app")!;
  const name = c.req.param("file")!.slice(0, -".flv".length);
  const url = new URL(req.url);
  // The front has checked the handshake (400 otherwise) before the app saw the request.
  const upgrade = (c.env as FrontEnv | undefined)?.upgradeWebSocket;
  const isWs = upgrade !== undefined;
  const proto = isWs ? "ws-flv" : "http-flv";
  const remote = remoteAddr(c.env);
  const form: FlvVideoForm = url.searchParams.get("form") === "enhanced" ? "enhanced" : "legacy";
  const sessionId = `${proto}#${nextId++}`;
  const log = deps.log.child({ sess: sessionId, key: `${app}/${name}`, remote });

  let stream: Stream;
  try {
    stream = await deps.hub.play({
      role: "player",
      protocol: "http",
      app,
      name,
      vhost: requestHost(req),
      query: url.search.slice(1),
      ext: ".flv",
      remote,
    }, {
      waitMs: deps.options.playWaitMs,
      // Only a wait needs to notice a client leaving (and Deno warns about reading the signal).
      signal: deps.hub.get(`${app}/${name}`) ? undefined : req.signal,
    });
  } catch (err) {
    const m = admissionStatus(err);
    if (!m) throw err;
    log.info("play refused", { status: m.status, why: m.msg });
    return c.json({ code: m.status, msg: m.msg }, m.status);
  }

  if (req.method === "HEAD") {
    return new Response(null, {
      headers: { "content-type": "video/x-flv", "cache-control": "no-cache, no-store" },
    });
  }
  const started = Date.now();
  const release = stream.attachPlayer(proto);
  let sub: Subscriber | undefined;
  let fanout: Lease<Fanout> | undefined;
  let unregister = () => {};
  let sink: { bytes: number } = { bytes: 0 };
  let done = false;
  /** Ends the connection itself (an admin's kick), not only the subscription. */
  let hangUp = (_reason: string) => {};
  const unlist = deps.hub.sessions.add({
    info: () => ({
      id: sessionId,
      protocol: proto,
      role: "player",
      remote,
      stream: stream.key,
      startedAt: started,
      bytesIn: 0,
      bytesOut: sink.bytes,
    }),
    close: (r) => {
      hangUp(r);
      finish(r);
    },
  });
  const finish = (reason: string) => {
    if (done) return;
    done = true;
    unlist();
    release();
    unregister();
    sub?.close(reason);
    // The last FLV player's release stops the muxing; the next one starts from the stream's GOP cache.
    fanout?.release();
    log.info("play stop", {
      reason,
      bytes: sink.bytes,
      duration_s: Math.round((Date.now() - started) / 100) / 10,
    });
  };

  if (upgrade) {
    const { socket, response } = upgrade();
    const ws = new WsSink(socket);
    sink = ws;
    hangUp = (r) => ws.close(r);
    unregister = deps.sessions!.add((r) => finish(r));
    socket.closed.then((why) => finish(why));
    try {
      fanout = flvFanout(deps, fanoutOpts, stream, form, log);
      // Writes queue until the front has sent the 101 answer.
      sub = fanout.value.subscribe({
        write: (b) => ws.write(b),
        close: (r) => {
          // A socket we are already closing (idle deadline) ends with its own reason, just after.
          const closing = socket.readyState === "closing";
          ws.close(r);
          if (!closing) finish(r);
        },
      });
    } catch (err) {
      log.error("play failed", { err });
      ws.close("internal error");
      finish(`could not start: ${(err as Error)?.message ?? err}`);
      return response;
    }
    log.info("play start", { proto, form });
    return response;
  }

  const headers = {
    "content-type": "video/x-flv",
    "cache-control": "no-cache, no-store",
    "x-content-type-options": "nosniff",
  };
  // On the front, the fan-out writes straight onto the socket; elsewhere (app.request) a stream.
  const direct = (c.env as FrontEnv | undefined)?.liveBody?.();
  const body = direct ?? new PullBody((r) => finish(r));
  sink = body;
  hangUp = (r) => body.close(r);
  direct?.closed.then((why) => finish(why));
  unregister = deps.sessions!.add((r) => finish(r));
  try {
    fanout = flvFanout(deps, fanoutOpts, stream, form, log);
    sub = fanout.value.subscribe({
      write: (b) => body.write(b),
      trySend: direct ? (b) => direct.trySend(b) : undefined,
      close: (r) => {
        body.close(r);
        finish(r);
      },
    });
  } catch (err) {
    finish(`could not start: ${(err as Error)?.message ?? err}`);
    throw err;
  }
  log.info("play start", { proto, form });
  return new Response(direct ? null : (body as PullBody).stream, { headers });
}

export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  const fanoutOpts = fanoutOptions(deps.options);
  app.get("/:app/:file{[^/]+\\.flv}", async (c, next) => {
    if (!deps.options.hasflv) return await next();
    return await play(deps, fanoutOpts, c);
  });
  return app;
}
