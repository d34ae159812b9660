/**
 * The recordings index behind the query API: stream names, days and files, read from the folder
 * tree. Without a vhost, every vhost folder is searched (a stream's days are merged).
 */
import { DAY, isSafeSegment, TIME } from "./paths.ts";

async function entries(path: string, want: "dir" | "file"): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(path)) {
      if (want === "dir" ? e.isDirectory : e.isFile) out.push(e.name);
    }
  } catch { /* missing: nothing recorded */ }
  return out;
}

async function vhosts(root: string, vhost?: string): Promise<string[]> {
  if (vhost !== undefined && vhost !== "") return isSafeSegment(vhost) ? [vhost] : [];
  return (await entries(root, "dir")).filter(isSafeSegment).sort();
}

const uniqueSorted = (xs: string[]) => [...new Set(xs)].sort();

/** Recorded stream names. */
export async function listStreams(root: string, vhost?: string): Promise<string[]> {
  const out: string[] = [];
  for (const v of await vhosts(root, vhost)) {
    out.push(...(await entries(`${root}/${v}`, "dir")).filter(isSafeSegment));
  }
  return uniqueSorted(out);
}

/** Days (YYYY-MM-DD) with recordings of `stream`. */
export async function listDays(root: string, stream: string, vhost?: string): Promise<string[]> {
  if (!isSafeSegment(stream)) return [];
  const out: string[] = [];
  for (const v of await vhosts(root, vhost)) {
    out.push(...(await entries(`${root}/${v}/${stream}`, "dir")).filter((d) => DAY.test(d)));
  }
  return uniqueSorted(out);
}

/** Manifests (HH-MM-SS.m3u8 / .mpd) of `stream` on `day`. */
export async function listFiles(
  root: string,
  stream: string,
  day: string,
  vhost?: string,
): Promise<string[]> {
  if (!isSafeSegment(stream) || !DAY.test(day)) return [];
  const out: string[] = [];
  for (const v of await vhosts(root, vhost)) {
    for (const f of await entries(`${root}/${v}/${stream}/${day}`, "file")) {
      const m = /^(.+)\.(m3u8|mpd)$/.exec(f);
      if (m && TIME.test(m[1])) out.push(f);
    }
  }
  return uniqueSorted(out);
}

/**
 * The path of a recorded file: a manifest (`rest` = ["18-22-11.m3u8"]) or one of its segments
 * (["18-22-11", "3.ts"]). Undefined when a name is unsafe or nothing exists there.
 */
export async function findRecorded(
  root: string,
  q: { stream: string; day: string; rest: string[]; vhost?: string },
): Promise<string | undefined> {
  if (!isSafeSegment(q.stream) || !DAY.test(q.day)) return undefined;
  if (q.rest.length < 1 || q.rest.length > 2 || !q.rest.every(isSafeSegment)) return undefined;
  if (q.rest.length === 2 && !TIME.test(q.rest[0])) return undefined;
  for (const v of await vhosts(root, q.vhost)) {
    const path = [root, v, q.stream, q.day, ...q.rest].join("/");
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch { /* try the next vhost */ }
  }
  return undefined;
}
