/**
 * The admin's view of the log: the newest lines from the in-memory ring (smart_rtmpd's logmsg,
 * newest first, `line` honoured), and the daily files under the log folder, listed by name and
 * downloadable only by a name from that list.
 */
import type { MemorySink } from "../log/mod.ts";

export interface LogFiles {
  /** The ring of recent lines every logger writes to. */
  recent: MemorySink;
  /** Daily files' names (`estuary-YYYY-MM-DD.log`), newest first. */
  files(): Promise<string[]>;
  /** An open file by one of those names; null for any other name. */
  open(name: string): Promise<Deno.FsFile | null>;
}

const FILE = /^estuary-\d{4}-\d{2}-\d{2}\.log$/;
const LEVELS = ["debug", "info", "warn", "error"];

export function logFiles(recent: MemorySink, dir: string): LogFiles {
  return {
    recent,
    async files() {
      const out: string[] = [];
      try {
        for await (const e of Deno.readDir(dir)) if (e.isFile && FILE.test(e.name)) out.push(e.name);
      } catch { /* no log folder yet */ }
      return out.sort().reverse();
    },
    async open(name) {
      // Only names that match the pattern: no path can be smuggled in.
      if (!FILE.test(name)) return null;
      return await Deno.open(`${dir}/${name}`, { read: true }).catch(() => null);
    },
  };
}

/** The last `line` lines (1..2000), newest first, at or above `level` when given. */
export function logMessages(logs: LogFiles, line: number, level?: string): string[] {
  if (!Number.isInteger(line) || line < 1 || line > 2000) {
    throw new RangeError(`line ${line} refused: must be an integer 1..2000`);
  }
  let min = 0;
  if (level !== undefined && level !== "") {
    min = LEVELS.indexOf(level.toLowerCase());
    if (min < 0) {
      throw new RangeError(`level ${JSON.stringify(level)} refused: must be debug, info, warn or error`);
    }
  }
  const out: string[] = [];
  const lines = logs.recent.lines;
  for (let i = lines.length - 1; i >= 0 && out.length < line; i--) {
    // Lines are "<ISO time> <LEVEL> msg …".
    const lv = LEVELS.indexOf(lines[i].slice(25, 30).trim().toLowerCase());
    if (lv >= min) out.push(lines[i]);
  }
  return out;
}
