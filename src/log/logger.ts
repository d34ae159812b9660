/**
 * Leveled logger: one line per event, `key=value` context, to stdout and (optionally) a daily
 * file under logs/. Children carry session context (`sess=rtmp#12 key=live/cam1`).
 */

export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose lines carry `ctx` too. */
  child(ctx: Fields): Logger;
}

/** Where finished lines go; the daily file sink lives in daily_file.ts. */
export interface LogSink {
  write(line: string, level: Level): void;
}

export interface LoggerOptions {
  level?: Level;
  sinks: LogSink[];
}

export function formatFields(fields: Fields | undefined): string {
  if (!fields) return "";
  let out = "";
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    let s: string;
    if (v instanceof Error) s = v.message;
    else if (typeof v === "string") s = v;
    else s = JSON.stringify(v) ?? String(v);
    if (/[\s"=]/.test(s)) s = JSON.stringify(s);
    out += ` ${k}=${s}`;
  }
  return out;
}

class LineLogger implements Logger {
  #min: number;
  #sinks: LogSink[];
  #ctx: string;

  constructor(min: number, sinks: LogSink[], ctx: string) {
    this.#min = min;
    this.#sinks = sinks;
    this.#ctx = ctx;
  }

  #emit(level: Level, msg: string, fields?: Fields) {
    if (RANK[level] < this.#min) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${this.#ctx}${
      formatFields(fields)
    }`;
    for (const s of this.#sinks) s.write(line, level);
  }

  debug(msg: string, fields?: Fields) {
    this.#emit("debug", msg, fields);
  }
  info(msg: string, fields?: Fields) {
    this.#emit("info", msg, fields);
  }
  warn(msg: string, fields?: Fields) {
    this.#emit("warn", msg, fields);
  }
  error(msg: string, fields?: Fields) {
    this.#emit("error", msg, fields);
  }
  child(ctx: Fields): Logger {
    return new LineLogger(this.#min, this.#sinks, this.#ctx + formatFields(ctx));
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  return new LineLogger(RANK[opts.level ?? "info"], opts.sinks, "");
}

const encoder = new TextEncoder();

/** Writes to stdout (info/debug) and stderr (warn/error) synchronously, so lines are never lost. */
export const consoleSink: LogSink = {
  write(line, level) {
    const bytes = encoder.encode(line + "\n");
    try {
      if (RANK[level] >= RANK.warn) Deno.stderr.writeSync(bytes);
      else Deno.stdout.writeSync(bytes);
    } catch { /* a closed stdout must not take the server down */ }
  },
};

/** Collects lines in memory; for tests and for /api/logmsg. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  #max: number;
  constructor(max = 1000) {
    this.#max = max;
  }
  write(line: string) {
    this.lines.push(line);
    if (this.lines.length > this.#max) this.lines.splice(0, this.lines.length - this.#max);
  }
}

/** Drops everything; the default in unit tests. */
export const nullLogger: Logger = createLogger({ sinks: [] });
