import type { Level, LogSink } from "./logger.ts";

/**
 * Appends lines to `<dir>/estuary-YYYY-MM-DD.log`, rolling at midnight (local time).
 * Writes are synchronous appends: a crash never loses a line that was logged.
 * A failing disk disables the sink with one message on stderr, and the server goes on.
 */
export class DailyFileSink implements LogSink {
  #dir: string;
  #day = "";
  #file: Deno.FsFile | null = null;
  #broken = false;
  #enc = new TextEncoder();

  constructor(dir: string) {
    this.#dir = dir;
  }

  write(line: string, _level: Level) {
    if (this.#broken) return;
    try {
      const day = localDay(new Date());
      if (day !== this.#day || !this.#file) {
        this.#file?.close();
        Deno.mkdirSync(this.#dir, { recursive: true });
        this.#file = Deno.openSync(`${this.#dir}/estuary-${day}.log`, { append: true, create: true });
        this.#day = day;
      }
      this.#file.writeSync(this.#enc.encode(line + "\n"));
    } catch (err) {
      this.#broken = true;
      console.error(`log file disabled: cannot write under ${this.#dir}: ${(err as Error).message}`);
    }
  }

  close() {
    this.#file?.close();
    this.#file = null;
  }
}

export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
