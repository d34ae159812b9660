/**
 * The program's own folder, where relative paths resolve without --root. Compiled, that is the
 * executable's folder: the modules' own URLs point into the embedded file system, which is
 * read-only and gone when the program exits. Run from source, it is main.ts's folder (also when
 * the server bundle, dist/run/main.js, runs).
 * Pure (the inputs are passed in) so the Windows and macOS cases are tested everywhere.
 */
import { folderOf } from "../config/mod.ts";

export interface ProgramDirInputs {
  /** import.meta.url of main.ts (or of the bundle's entry, dist/run/main.js). */
  mainUrl: string;
  /** Deno.execPath(). */
  execPath: string;
  /** Deno.build.standalone: running as a compiled executable. */
  standalone: boolean;
  os: typeof Deno.build.os;
}

/** A file: URL as a path of `os`: "file:///C:/a%20b/x.ts" → "C:\a b\x.ts", "file://nas/share/x" → "\\nas\share\x". */
export function fileUrlToPath(url: string, os: typeof Deno.build.os): string {
  const u = new URL(url);
  if (u.protocol !== "file:") throw new Error(`${url} is not a file: URL`);
  const path = decodeURIComponent(u.pathname);
  if (os !== "windows") return path;
  if (u.hostname !== "") return `\\\\${u.hostname}${path.replaceAll("/", "\\")}`;
  return path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\");
}

/** Where the server bundle's entry lands (`tools/bundle.ts`), relative to the project folder. */
export const BUNDLE_ENTRY = "dist/run/main.js";

/**
 * The project folder's URL from the entry module's: main.ts sits in it; the server bundle's entry
 * (dist/run/main.js) two levels down.
 */
export function projectUrl(mainUrl: string): URL {
  return new URL(mainUrl.endsWith(`/${BUNDLE_ENTRY}`) ? "../../" : "./", mainUrl);
}

export function programDir(i: ProgramDirInputs): string {
  if (i.standalone || !i.mainUrl.startsWith("file:")) return folderOf(i.execPath);
  return folderOf(fileUrlToPath(new URL("main.ts", projectUrl(i.mainUrl)).href, i.os));
}
