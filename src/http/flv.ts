/**
 * HTTP-FLV and WS-FLV at `/<app>/<name>.flv`: the same bytes from one shared Fanout per stream
 * (and per FLV form). `?form=enhanced` asks for E-RTMP FourCC headers (e.g. HEVC as hvc1);
 * the default is the legacy form (HEVC as codec id `codech265`, as flv.js/mpegts.js expect).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  Fanout,
  type Lease,
  NotFoundError,
  type Stream,
  type Subscriber,
} from "../core/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { PullBody } from "./pull_body.ts";
import { remoteAddr, requestHost } from "./request.ts";
import { WsSink } from "./ws_sink.ts";
import { FlvFanoutMuxer, type FlvFanoutMuxerOptions, type FlvVideoForm } from "../formats/flv/mod.ts";

let nextId = 1;

/** Maps admission errors to HTTP statuses (JSON bodies). */
export function admissionStatus(err: unknown): { status: 400 | 403 | 404; msg: string } | undefined {
  if (err instanceof NotFoundError) return { status: 404, msg: err.message };
  if (err instanceof AuthError || err instanceof AppNotAllowedError) return { status: 403, msg: err.message };
  if (err instanceof BadNameError) return { status: 400, msg: err.message };
  return undefined;
}

const fanoutId = (form: FlvVideoForm) => `flv:${form}`;

/** The one FLV fan-out of a stream for a form. */
function flvFanout(deps: HttpDeps, stream: Stream, form: FlvVideoForm): Lease<Fanout> {
  const o = deps.options;
  return stream.outputs.acquire(
    fanoutId(form),
    () =>
      new Fanout(stream, new FlvFanoutMuxer(stream, muxOptions(deps, stream, form)), {
        batchMs: o.flvBatchMs,
        maxBatchMs: o.flvMaxBatchMs,
        maxQueueBytes: o.flvMaxQueueBytes,
        maxDrops: o.flvMaxDrops,
        stallMs: o.flvStallMs,
        fastStart: o.fastStart,
      }),
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

async function play(deps: HttpDeps, c: Context): Promise<Response> {
  const req = c.req.raw;
  const app = c.req.param("app")!;
  const name = c.req.param("file")!.slice(0, -".flv".length);
  const url = new URL(req.url);
  const isWs = req.headers.get("upgrade")?.toLowerCase() === "websocket";
  const proto = isWs ? "ws-flv" : "http-flv";
  const remote = remoteAddr(c.env);
  const form: FlvVideoForm = url.searchParams.get("form") === "enhanced" ? "enhanced" : "legacy";
  const log = deps.log.child({ sess: `${proto}#${nextId++}`, key: `${app}/${name}`, remote });

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
  const finish = (reason: string) => {
    if (done) return;
    done = true;
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

  if (isWs) {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const ws = new WsSink(socket);
    sink = ws;
    socket.onopen = () => {
      if (done) return;
      unregister = deps.sessions!.add((r) => finish(r));
      try {
        fanout = flvFanout(deps, stream, form);
        sub = fanout.value.subscribe({
          write: (b) => ws.write(b),
          close: (r) => {
            ws.close(r);
            finish(r);
          },
        });
      } catch (err) {
        log.error("play failed", { err });
        ws.close("internal error");
        finish(`could not start: ${(err as Error)?.message ?? err}`);
        return;
      }
      log.info("play start", { proto, form });
    };
    socket.onclose = () => finish("client left");
    socket.onerror = () => finish("websocket error");
    return response;
  }

  const body = new PullBody((r) => finish(r));
  sink = body;
  unregister = deps.sessions!.add((r) => finish(r));
  try {
    fanout = flvFanout(deps, stream, form);
    sub = fanout.value.subscribe({
      write: (b) => body.write(b),
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
  return new Response(body.stream, {
    headers: {
      "content-type": "video/x-flv",
      "cache-control": "no-cache, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  app.get("/:app/:file{[^/]+\\.flv}", async (c, next) => {
    if (!deps.options.hasflv) return await next();
    return await play(deps, c);
  });
  return app;
}
