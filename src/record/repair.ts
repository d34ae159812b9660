/**
 * Crash repair: a recording killed mid-way leaves an HLS playlist without #EXT-X-ENDLIST (players
 * would wait for more). Everything it lists was complete when it was written, so closing it is all
 * that is needed. DASH manifests are static after every segment and need nothing.
 */
import type { Logger } from "../log/mod.ts";
import { DAY } from "./paths.ts";

async function dirs(path: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(path)) if (e.isDirectory) out.push(e.name);
  } catch { /* missing or unreadable: nothing to repair */ }
  return out;
}

/** Closes every unterminated playlist under root/<vhost>/<stream>/<day>/; returns their paths. */
export async function repairRecordings(root: string, log: Logger): Promise<string[]> {
  const repaired: string[] = [];
  for (const vhost of await dirs(root)) {
    for (const stream of await dirs(`${root}/${vhost}`)) {
      for (const day of await dirs(`${root}/${vhost}/${stream}`)) {
        if (!DAY.test(day)) continue;
        const folder = `${root}/${vhost}/${stream}/${day}`;
        for await (const e of Deno.readDir(folder)) {
          const path = `${folder}/${e.name}`;
          if (e.isFile && e.name.endsWith(".tmp")) await Deno.remove(path).catch(() => {});
          if (!e.isFile || !e.name.endsWith(".m3u8")) continue;
          const text = await Deno.readTextFile(path);
          if (text.includes("#EXT-X-ENDLIST")) continue;
          await Deno.writeTextFile(path, (text.endsWith("\n") ? "" : "\n") + "#EXT-X-ENDLIST\n", {
            append: true,
          });
          repaired.push(path);
        }
      }
    }
  }
  if (repaired.length > 0) log.info("closed recordings left open by a crash", { count: repaired.length });
  return repaired;
}
