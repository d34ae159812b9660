/**
 * VOD and recordings management for the admin: list a folder with sizes and dates, and delete a
 * file or a folder. Paths are checked segment by segment and resolved with their links, so nothing
 * outside the root is ever listed or removed, and a root itself cannot be deleted. A recording that
 * is still being written (its stream is live in a record app) is refused.
 */

export type FileRoot = "vod" | "rec";

export interface Entry {
  name: string;
  size: number;
  mtime: number;
}

export class FileError extends Error {}

const SEGMENT = /^[^/\\\0]+$/;

/** The safe segments of a slash-separated relative path, or a FileError naming the bad one. */
export function segmentsOf(path: string): string[] {
  const segs = path.split("/").filter((s) => s !== "");
  for (const s of segs) {
    if (!SEGMENT.test(s) || s === "." || s === ".." || s.startsWith(".")) {
      throw new FileError(
        `path segment ${JSON.stringify(s)} refused: plain names only (no dot files, no ..)`,
      );
    }
  }
  return segs;
}

async function realInside(root: string, path: string): Promise<string | null> {
  const [r, p] = await Promise.all([
    Deno.realPath(root).catch(() => null),
    Deno.realPath(path).catch(() => null),
  ]);
  if (r === null || p === null) return null;
  return p === r || p.startsWith(`${r}/`) ? p : null;
}

export async function listFolder(root: string, path: string): Promise<{ dirs: Entry[]; files: Entry[] }> {
  const segs = segmentsOf(path);
  const real = await realInside(root, [root, ...segs].join("/"));
  if (real === null) throw new FileError(`no such folder: /${segs.join("/")}`);
  const dirs: Entry[] = [], files: Entry[] = [];
  for await (const e of Deno.readDir(real)) {
    if (e.name.startsWith(".")) continue;
    const st = await Deno.stat(`${real}/${e.name}`).catch(() => null);
    if (!st) continue;
    const entry = { name: e.name, size: st.size, mtime: st.mtime?.getTime() ?? 0 };
    if (st.isDirectory) dirs.push(entry);
    else if (st.isFile) files.push(entry);
  }
  const byName = (a: Entry, b: Entry) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return { dirs: dirs.sort(byName), files: files.sort(byName) };
}

/**
 * Deletes a file or a folder (with what it holds) below the root. `busy(segs)` names why a path may
 * not go now (a recording being written), or returns undefined.
 */
export async function removePath(
  root: string,
  path: string,
  busy: (segs: string[]) => string | undefined = () => undefined,
): Promise<void> {
  const segs = segmentsOf(path);
  if (segs.length === 0) throw new FileError("the root folder itself cannot be deleted");
  const why = busy(segs);
  if (why) throw new FileError(`/${segs.join("/")} refused: ${why}`);
  const target = [root, ...segs].join("/");
  const info = await Deno.lstat(target).catch(() => null);
  if (!info) throw new FileError(`no such file or folder: /${segs.join("/")}`);
  // A link is removed as a link (never what it points at); anything else must really be inside.
  if (!info.isSymlink && (await realInside(root, target)) === null) {
    throw new FileError(`/${segs.join("/")} refused: outside the root`);
  }
  await Deno.remove(target, { recursive: info.isDirectory });
}
