/**
 * The recordings query API (smart_rtmpd's contract):
 *
 *   GET /api/rec[?vhost=V]                       {"dirs":["music","sport"]}   recorded streams
 *   GET /rec/<stream>[?vhost=V]                  {"dirs":["2022-05-21"]}      days
 *   GET /rec/<stream>/<day>  or  ?day=<day>      {"files":["18-22-11.m3u8"]}  recordings of a day
 *   GET /rec/<stream>/<day>/<time>.m3u8|.mpd     the manifest (also ?day=&time=, time with or
 *                                                without extension)
 *   GET /rec/<stream>/<day>/<time>/<segment>     its segments (Range supported)
 *   GET /rec/<stream>.m3u8|.mpd?day=&time=       the manifest, as smart_rtmpd's player asks
 *
 * With an auth callback, listings are asked about as API calls and manifests as downloads; segments
 * are not (as live segments are not: players do not carry the manifest's query to them).
 *
 * In the ?day=&time= form the manifest's relative URLs would resolve against /rec/, so they are
 * rewritten to absolute ones. Unsafe names are refused with 400; `/rec/<name>.m3u8` stays the live
 * HLS of the `rec` app (mount the HLS routes first).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { HttpDeps } from "./deps.ts";
import { DAY, findRecorded, isSafeSegment, listDays, listFiles, listStreams, TIME } from "../record/mod.ts";
import { realInside, serveFile } from "./static.ts";
import { apiAuth, authorizeRequest } from "./api.ts";

export interface RecOptions {
  /** The recording root (rec/). */
  root: string;
}

const TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  mpd: "application/dash+xml",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
};

const LIVE_SUFFIX = /\.(m3u8|mpd|flv)$/;

function bad(c: Context, msg: string): Response {
  return c.json({ code: 400, msg }, 400);
}

function notFound(c: Context, msg: string): Response {
  return c.json({ code: 404, msg }, 404);
}

/** Makes the URLs of a manifest absolute under `base` ("/rec/cam/2024-05-21/"). */
export function absolutise(text: string, ext: string, base: string): string {
  if (ext === "mpd") {
    return text.replace(/(<MPD\b[^>]*>)/, `$1\n <BaseURL>${base}</BaseURL>`);
  }
  return text.split("\n").map((line) => {
    if (line === "") return line;
    if (!line.startsWith("#")) return /^[a-z]+:|^\//i.test(line) ? line : base + line;
    return line.replace(/URI="(?![a-z]+:|\/)([^"]*)"/gi, `URI="${base}$1"`);
  }).join("\n");
}

export function routes(deps: HttpDeps, opts: RecOptions): Hono {
  const root = opts.root;

  async function manifest(c: Context, stream: string, day: string, time: string, absolute: boolean) {
    const m = /^(.+?)(?:\.(m3u8|mpd))?$/.exec(time)!;
    if (!TIME.test(m[1])) return bad(c, `time "${time}" is invalid: must be HH-MM-SS[.m3u8|.mpd]`);
    const vhost = c.req.query("vhost");
    for (const ext of m[2] ? [m[2]] : ["m3u8", "mpd"]) {
      const found = await findRecorded(root, { stream, day, rest: [`${m[1]}.${ext}`], vhost });
      // A manifest reached through a link must really be inside the root.
      const path = found && await realInside(root, found);
      if (!path) continue;
      let text = await Deno.readTextFile(path);
      if (absolute) text = absolutise(text, ext, `/rec/${stream}/${day}/`);
      return new Response(text, { headers: { "content-type": TYPES[ext], "cache-control": "no-cache" } });
    }
    return notFound(c, `no recording ${stream}/${day}/${time}`);
  }

  /**
   * Whether `<vhost>/<stream>[/<day>]` is reached through a link out of the root in any vhost
   * folder that is searched (the listings read whatever such a link points at).
   */
  async function escapes(c: Context, ...segs: string[]): Promise<boolean> {
    const vhost = c.req.query("vhost");
    const vhosts: string[] = [];
    if (vhost) vhosts.push(vhost);
    else {
      try {
        for await (const e of Deno.readDir(root)) vhosts.push(e.name);
      } catch { /* no recordings yet */ }
    }
    for (const v of vhosts) {
      const path = [root, v, ...segs].join("/");
      const exists = await Deno.lstat(path).then(() => true, () => false);
      if (exists && await realInside(root, path) === null) return true;
    }
    return false;
  }

  async function days(c: Context, stream: string) {
    const day = c.req.query("day");
    const time = c.req.query("time");
    const denied = await authorizeRequest(
      deps,
      c,
      day !== undefined && time !== undefined ? "download" : "api",
    );
    if (denied) return denied;
    if (await escapes(c, stream)) return notFound(c, `no recordings of ${stream}`);
    if (day === undefined) return c.json({ dirs: await listDays(root, stream, c.req.query("vhost")) });
    if (!DAY.test(day)) return bad(c, `day "${day}" is invalid: must be YYYY-MM-DD`);
    if (await escapes(c, stream, day)) return notFound(c, `no recordings of ${stream} on ${day}`);
    if (time === undefined) {
      return c.json({ files: await listFiles(root, stream, day, c.req.query("vhost")) });
    }
    return await manifest(c, stream, day, time, true);
  }

  const app = new Hono();
  app.use("/api/rec", apiAuth(deps));
  app.get("/api/rec", async (c) => {
    const vhost = c.req.query("vhost");
    if (vhost !== undefined && vhost !== "" && !isSafeSegment(vhost)) {
      return bad(c, `vhost "${vhost}" is invalid`);
    }
    return c.json({ dirs: await listStreams(root, vhost) });
  });
  app.get("/rec/:stream", async (c, next) => {
    let stream = c.req.param("stream");
    const suffix = LIVE_SUFFIX.exec(stream);
    if (suffix) {
      // smart_rtmpd's player asks /rec/<s>.<ext>?day=D&time=T for a recording; without both, it is
      // the live HLS/DASH/FLV of the rec app.
      const { day, time } = c.req.query();
      if (suffix[1] === "flv" || day === undefined || time === undefined) return await next();
      stream = stream.slice(0, -suffix[0].length);
      if (!isSafeSegment(stream)) return bad(c, `stream "${stream}" is invalid`);
      const denied = await authorizeRequest(deps, c, "download");
      if (denied) return denied;
      if (!DAY.test(day)) return bad(c, `day "${day}" is invalid: must be YYYY-MM-DD`);
      if (await escapes(c, stream, day)) return notFound(c, `no recordings of ${stream} on ${day}`);
      return await manifest(c, stream, day, /\.(m3u8|mpd)$/.test(time) ? time : `${time}.${suffix[1]}`, true);
    }
    if (!isSafeSegment(stream)) return bad(c, `stream "${stream}" is invalid`);
    return await days(c, stream);
  });
  app.get("/rec/:stream/:day", async (c, next) => {
    const { stream, day } = c.req.param();
    if (!DAY.test(day)) return await next(); // e.g. /rec/<name>/<n>.ts: live HLS segments
    if (!isSafeSegment(stream)) return bad(c, `stream "${stream}" is invalid`);
    const denied = await authorizeRequest(deps, c, "api");
    if (denied) return denied;
    if (await escapes(c, stream, day)) return notFound(c, `no recordings of ${stream} on ${day}`);
    return c.json({ files: await listFiles(root, stream, day, c.req.query("vhost")) });
  });
  app.get("/rec/:stream/:day/:file", async (c, next) => {
    const { stream, day, file } = c.req.param();
    if (!DAY.test(day)) return await next();
    if (!isSafeSegment(stream) || !isSafeSegment(file)) return bad(c, "path refused");
    const denied = await authorizeRequest(deps, c, "download");
    if (denied) return denied;
    return await manifest(c, stream, day, file, false);
  });
  app.get("/rec/:stream/:day/:time/:segment", async (c, next) => {
    const { stream, day, time, segment } = c.req.param();
    if (!DAY.test(day)) return await next();
    if (![stream, time, segment].every(isSafeSegment) || !TIME.test(time)) return bad(c, "path refused");
    const path = await findRecorded(root, {
      stream,
      day,
      rest: [time, segment],
      vhost: c.req.query("vhost"),
    });
    if (!path) return notFound(c, `no segment ${stream}/${day}/${time}/${segment}`);
    const rel = path.slice(root.replace(/\/+$/, "").length);
    const res = await serveFile(c.req.raw, rel.split("/").map(encodeURIComponent).join("/"), { root });
    if (!res) return notFound(c, `no segment ${stream}/${day}/${time}/${segment}`);
    if (res.status === 200 || res.status === 206) {
      const ext = segment.slice(segment.lastIndexOf(".") + 1);
      if (TYPES[ext]) res.headers.set("content-type", TYPES[ext]);
      res.headers.set("cache-control", "public, max-age=31536000, immutable");
    }
    return res;
  });
  return app;
}

export { routes as recRoutes };
