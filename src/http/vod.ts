/**
 * VOD: files under vod/ (subfolders allowed) at /vod/<path> with Range support, a listing at
 * GET /api/vod[/<subdir>] → {"dirs":[…],"files":[…]}, and multipart upload with POST /vod/<dir>
 * (smart_rtmpd's contract). Downloads and uploads go through the auth callback (role download/upload).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { authorizeRequest } from "./api.ts";
import type { HttpDeps } from "./deps.ts";
import { realInside, safeSegments, serveFile } from "./static.ts";

export interface VodOptions {
  /** The VOD root (vod/). */
  root: string;
  /** `<http><httpmaxbody>`: the largest upload accepted, in bytes. */
  maxBody?: number;
}

const SAFE_FILE = /^[^/\\\0]+$/;

/** The folder below the root named by an encoded URL path, or an error response. */
function folder(c: Context, root: string, encoded: string): string | Response {
  const segs = safeSegments(encoded);
  if (!Array.isArray(segs)) return c.json({ code: 400, msg: `path refused: ${segs.refuse}` }, 400);
  return [root, ...segs].join("/");
}

export function routes(deps: HttpDeps, opts: VodOptions): Hono {
  const app = new Hono();

  app.get("/api/vod/*", listing);
  app.get("/api/vod", listing);
  async function listing(c: Context) {
    const sub = new URL(c.req.url).pathname.replace(/^\/api\/vod\/?/, "");
    const dir = folder(c, opts.root, sub);
    if (dir instanceof Response) return dir;
    const dirs: string[] = [], files: string[] = [];
    try {
      // A folder that is (or passes through) a link out of the root is not a VOD folder.
      const real = await realInside(opts.root, dir);
      if (real === null) throw new Error("outside the root");
      for await (const e of Deno.readDir(real)) {
        if (e.name.startsWith(".")) continue;
        if (e.isDirectory) dirs.push(e.name);
        else if (e.isFile) files.push(e.name);
      }
    } catch {
      return c.json({ code: 404, msg: `no such VOD folder: /${sub}` }, 404);
    }
    return c.json({ dirs: dirs.sort(), files: files.sort() });
  }

  app.on(["GET", "HEAD"], "/vod/*", async (c) => {
    const denied = await authorizeRequest(deps, c, "download");
    if (denied) return denied;
    const encoded = new URL(c.req.url).pathname.slice("/vod".length);
    const res = await serveFile(c.req.raw, encoded, { root: opts.root });
    return res ?? c.json({ code: 404, msg: `no such VOD file: ${decodeURIComponent(encoded)}` }, 404);
  });

  app.post("/vod/*", async (c) => {
    const denied = await authorizeRequest(deps, c, "upload");
    if (denied) return denied;
    const max = opts.maxBody ?? 64 << 20;
    const length = Number(c.req.header("content-length") ?? NaN);
    if (Number.isFinite(length) && length > max) {
      return c.json({ code: 413, msg: `upload of ${length} bytes refused: httpmaxbody is ${max}` }, 413);
    }
    const dir = folder(c, opts.root, new URL(c.req.url).pathname.slice("/vod".length));
    if (dir instanceof Response) return dir;
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (err) {
      return c.json({ code: 400, msg: `upload must be multipart/form-data: ${(err as Error).message}` }, 400);
    }
    await Deno.mkdir(dir, { recursive: true });
    // mkdir follows links: the folder written into must really be inside the root.
    const realDir = await realInside(opts.root, dir);
    if (realDir === null) return c.json({ code: 403, msg: "upload folder is outside the VOD root" }, 403);
    const saved: string[] = [];
    for (const value of form.values()) {
      if (!(value instanceof File)) continue;
      const name = value.name;
      if (!SAFE_FILE.test(name) || name === "." || name === ".." || name.startsWith(".")) {
        return c.json({ code: 400, msg: `file name "${name}" is invalid: must be a plain file name` }, 400);
      }
      if (value.size > max) {
        return c.json(
          { code: 413, msg: `file ${name} (${value.size} bytes) refused: httpmaxbody is ${max}` },
          413,
        );
      }
      // writeFile follows a link: an existing link in the way is never written through.
      const existing = await Deno.lstat(`${realDir}/${name}`).catch(() => null);
      if (existing?.isSymlink) {
        return c.json({ code: 403, msg: `file ${name} is a link: not overwritten` }, 403);
      }
      await Deno.writeFile(`${realDir}/${name}`, value.stream());
      saved.push(name);
    }
    if (saved.length === 0) return c.json({ code: 400, msg: "no file in the upload" }, 400);
    deps.log.info("vod upload", { dir: dir.slice(opts.root.length) || "/", files: saved.join(",") });
    return c.json({ code: 0, msg: "ok", files: saved });
  });

  return app;
}

export { routes as vodRoutes };
