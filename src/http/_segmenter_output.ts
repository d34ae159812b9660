/**
 * One stream's live segmenter for one variant, as a shared output of the stream: one Reader feeds
 * the current segmenter, and every HTTP client of that variant is served from it. The last lease's
 * release, or the stream's end, closes the Reader and ends the segmenter (the playlist then gets
 * its end marker), but the ended segmenter still serves the segments it holds.
 */
import { type Frame, type SharedOutput, type Stream, TRACKS_READY_WAIT_MS } from "../core/mod.ts";
import type { OutputTracks, Waitable } from "../formats/segment/mod.ts";

/** What a segmenter offers its output. */
export interface LiveSegmenter extends Waitable {
  push(frames: readonly Frame[]): void;
  /** Closes the open segment and marks the end (ENDLIST, a static MPD). */
  end(): void;
  readonly ended: boolean;
  /** The tracks its init segments were made for. */
  readonly tracks: OutputTracks;
}

/** Makes a segmenter for `tracks`; `prev` is the one it replaces (its numbering continues). */
export type MakeSegmenter<T> = (prev: T | undefined) => T;

export class SegmenterOutput<T extends LiveSegmenter> implements SharedOutput {
  readonly #stream: Stream;
  readonly #make: MakeSegmenter<T>;
  #seg!: T;
  #close: (reason: string) => void = () => {};
  #closed = false;
  #resolveFinished!: (reason: string) => void;
  /** Resolves with the reason once the segmenter stops being fed (stream end, release, failure). */
  readonly finished: Promise<string> = new Promise((r) => this.#resolveFinished = r);

  constructor(stream: Stream, make: MakeSegmenter<T>, prev?: T) {
    this.#stream = stream;
    this.#make = make;
    this.#start(prev);
  }

  /** The segmenter serving this output now. */
  get segmenter(): T {
    return this.#seg;
  }

  /** True once nothing feeds it any more. */
  get closed(): boolean {
    return this.#closed;
  }

  #start(prev: T | undefined) {
    const seg = this.#make(prev);
    this.#seg = seg;
    // The closure ties each Reader to its own segmenter, so a restart never mixes the two.
    const reader = this.#stream.addReader((frames) => seg.push(frames), {
      onClose: (_r, reason) => {
        seg.end();
        if (this.#seg === seg) this.#finish(reason);
      },
    });
    this.#close = (reason) => reader.close(reason);
  }

  /**
   * Starts a new segmenter (the stream's tracks changed, so the init segment must change): its
   * numbering continues the old one, and its Reader starts from the GOP cache.
   */
  restart(): void {
    if (this.#closed) return;
    const old = this.#seg, closeOld = this.#close;
    this.#start(old);
    closeOld("segmenter restart");
  }

  #finish(reason: string) {
    if (this.#closed) return;
    this.#closed = true;
    this.#resolveFinished(reason);
  }

  /** SharedOutput: the last lease was released, or the stream ended (its Reader already finished). */
  close(): void {
    this.#close("output released");
  }
}

/**
 * Waits until the stream knows its tracks (`Stream.tracksReady`), so the first segmenter's init
 * segment describes every track. Bounded here too: a stream that has sent nothing yet never starts
 * the stream's own wait.
 */
export async function tracksReady(
  stream: Stream,
  signal?: AbortSignal,
  ms = 2 * TRACKS_READY_WAIT_MS,
): Promise<void> {
  if (stream.isTracksReady || stream.isEnded || signal?.aborted) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort = () => {};
  try {
    await Promise.race([
      stream.tracksReady,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        onAbort = () => resolve();
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
