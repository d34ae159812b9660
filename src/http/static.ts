/**
 * Static files (html/, and vod/ later): GET and HEAD, ETag/Last-Modified revalidation, one byte
 * Range, deny lists, and no way out of the root (encoded dot segments, backslashes, NULs and
 * symlinks that point outside are all refused). hono's serveStatic has no Range, hence this file.
 */
import { Hono } from "hono";
import type { HttpDeps } from "./deps.ts";
import { contentType, extension } from "./mime.ts";
import { contentRange, parseRange } from "./range.ts";

export interface StaticOptions {
  root: string;
  /** Extensions (without dot, lower case) that are never served. */
  denyFiles?: readonly string[];
  /** Folders, relative to the root, that are never served. */
  denyPaths?: readonly string[];
  /** Served for a folder URL ending in "/". */
  index?: string;
  /** Read size for file bodies. */
  chunkSize?: number;
}

const json = (status: number, msg: string) =>
  new Response(JSON.stringify({ code: status, msg }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

/**
 * Splits a still percent-encoded URL path (below the mount point) into safe segments, or returns
 * a reason to refuse it.
 */
export function safeSegments(encodedPath: string): string[] | { refuse: string } {
  const out: string[] = [];
  for (const raw of encodedPath.split("/")) {
    if (raw === "" || raw === ".") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { refuse: `bad percent-encoding in "${raw}"` };
    }
    if (seg === ".." || seg === ".") return { refuse: "dot segments are not allowed" };
    if (/[\/\\\0]/.test(seg)) return { refuse: "slashes, backslashes and NULs are not allowed in a segment" };
    out.push(seg);
  }
  return out;
}

function isDenied(segs: string[], isFile: boolean, opts: StaticOptions): boolean {
  if (segs.some((s) => s.startsWith("."))) return true; // hidden files (.git, .env)
  const rel = segs.join("/");
  for (const p of opts.denyPaths ?? []) {
    if (p !== "" && (rel === p || rel.startsWith(`${p}/`))) return true;
  }
  if (isFile && segs.length > 0) {
    const ext = extension(segs[segs.length - 1]);
    if (ext !== "" && (opts.denyFiles ?? []).includes(ext)) return true;
  }
  return false;
}

/**
 * The real path of `path` (symlinks resolved) when it exists and is the real `root` or inside it;
 * null otherwise. What a link points at decides, never the name it is reached by.
 */
export async function realInside(root: string, path: string): Promise<string | null> {
  const [realRoot, real] = await Promise.all([
    Deno.realPath(root).catch(() => null),
    Deno.realPath(path).catch(() => null),
  ]);
  if (realRoot === null || real === null) return null;
  return real === realRoot || real.startsWith(realRoot.endsWith("/") ? realRoot : `${realRoot}/`)
    ? real
    : null;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch {
    return null;
  }
}

/** A body reading [start, start+length) of a file; the file closes when done or cancelled. */
function fileBody(
  file: Deno.FsFile,
  start: number,
  length: number,
  chunkSize: number,
): ReadableStream<Uint8Array> {
  let left = length;
  let sought = start === 0;
  const done = () => {
    try {
      file.close();
    } catch { /* already closed */ }
  };
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      try {
        if (!sought) {
          await file.seek(start, Deno.SeekMode.Start);
          sought = true;
        }
        const buf = new Uint8Array(Math.min(chunkSize, left));
        const n = await file.read(buf);
        if (n === null || n === 0) {
          done();
          ctl.close();
          return;
        }
        left -= n;
        ctl.enqueue(n === buf.length ? buf : buf.subarray(0, n));
        if (left <= 0) {
          done();
          ctl.close();
        }
      } catch (err) {
        done();
        ctl.error(err);
      }
    },
    cancel: done,
  }, { highWaterMark: 0 });
}

function notModified(req: Request, etag: string, mtime: Date | null): boolean {
  const inm = req.headers.get("if-none-match");
  if (inm !== null) {
    return inm.trim() === "*" || inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
  }
  const ims = req.headers.get("if-modified-since");
  if (ims !== null && mtime) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * Serves one file. `encodedPath` is the URL path below the root, still percent-encoded. Returns
 * null when there is no such file (the caller answers 404 its own way).
 */
export async function serveFile(
  req: Request,
  encodedPath: string,
  opts: StaticOptions,
): Promise<Response | null> {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const segs = safeSegments(encodedPath);
  if (!Array.isArray(segs)) return json(400, `path refused: ${segs.refuse}`);
  const root = await Deno.realPath(opts.root).catch(() => null);
  if (root === null) return null;
  let path = [root, ...segs].join("/");
  let info = await statOrNull(path);
  if (info === null) return null;
  if (info.isDirectory) {
    if (!encodedPath.endsWith("/") && segs.length > 0) {
      const url = new URL(req.url);
      return new Response(null, { status: 301, headers: { location: `${url.pathname}/${url.search}` } });
    }
    if (isDenied(segs, false, opts)) return json(403, "forbidden");
    segs.push(opts.index ?? "index.html");
    path = `${path}/${opts.index ?? "index.html"}`;
    info = await statOrNull(path);
    if (info === null || !info.isFile) return null;
  }
  if (!info.isFile) return null;
  if (isDenied(segs, true, opts)) return json(403, "forbidden");
  // A symlink may point anywhere: the real path must still be inside the root.
  const real = await Deno.realPath(path).catch(() => null);
  if (real === null || !real.startsWith(`${root}/`)) return null;

  const size = info.size;
  const mtime = info.mtime;
  const etag = `"${size.toString(16)}-${Math.floor(mtime?.getTime() ?? 0).toString(16)}"`;
  const headers = new Headers({
    "content-type": contentType(path),
    "accept-ranges": "bytes",
    "etag": etag,
    "cache-control": "no-cache",
  });
  if (mtime) headers.set("last-modified", mtime.toUTCString());
  if (notModified(req, etag, mtime)) return new Response(null, { status: 304, headers });

  let range = parseRange(req.headers.get("range"), size);
  const ifRange = req.headers.get("if-range");
  if (ifRange !== null && ifRange !== etag && ifRange !== headers.get("last-modified")) {
    range = { kind: "full" };
  }
  if (range.kind === "unsatisfiable") {
    headers.set("content-range", `bytes */${size}`);
    headers.delete("content-type");
    return new Response(null, { status: 416, headers });
  }
  const start = range.kind === "partial" ? range.start : 0;
  const length = range.kind === "partial" ? range.end - range.start + 1 : size;
  headers.set("content-length", String(length));
  const status = range.kind === "partial" ? 206 : 200;
  if (range.kind === "partial") headers.set("content-range", contentRange(range.start, range.end, size));
  if (req.method === "HEAD" || length === 0) return new Response(null, { status, headers });
  const file = await Deno.open(real, { read: true });
  return new Response(fileBody(file, start, length, opts.chunkSize ?? 64 * 1024), { status, headers });
}

/** Short names of built-in pages: the share link `/player?app=…` is the player page. */
const ALIASES: Record<string, string> = { "/player": "/player.html" };

/**
 * The html/ root at "/", then the built-in pages (mount last: it answers every GET no other feature
 * took). A file in html/ wins over a built-in one of the same name.
 */
export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  app.on(["GET", "HEAD"], "/*", async (c, next) => {
    const o = deps.options;
    const url = new URL(c.req.url);
    const pathname = ALIASES[url.pathname] ?? url.pathname;
    for (const root of [o.htmlRoot, o.webRoot]) {
      if (root === "") continue;
      const res = await serveFile(c.req.raw, pathname, {
        root,
        denyFiles: o.denyFiles,
        denyPaths: o.denyPaths,
      });
      if (res !== null) return res;
    }
    return await next();
  });
  return app;
}
