/**
 * The built-in portal and H5 player: `web/build.ts` bundles `web/` into `dist/web/` beside the
 * program (`deno task start`, `test` and `build` run it first), and `deno compile` embeds that folder,
 * so the executable serves the pages with no html/ folder at all. Files in `<root>/html/` are served
 * first and may replace any of them.
 */

/** A file URL as a path Deno's file APIs take on every OS (no leading slash before a drive letter). */
export function pathOfFileUrl(url: URL): string {
  const p = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
}

export const BUILTIN_WEB_ROOT = pathOfFileUrl(new URL("../../dist/web", import.meta.url));
