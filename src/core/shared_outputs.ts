/**
 * Per-stream shared outputs with one lifecycle: a muxer, fan-out, segmenter or transcoder that every
 * consumer of one format shares. Acquired by id with a factory, reference counted, and closed when
 * the last lease is released (after an optional linger, so a player that reconnects at once finds
 * the output still warm), or when the stream ends (after its readers delivered their last frames).
 */

/** What a shared output must offer its owner. */
export interface SharedOutput {
  close(): void;
}

/** One consumer's hold on a shared output. Release is idempotent. */
export interface Lease<T> {
  readonly value: T;
  /** Gives the hold back; the output closes `lingerMs` after the last release (default 0). */
  release(lingerMs?: number): void;
}

interface Entry {
  value: SharedOutput;
  refs: number;
  linger: ReturnType<typeof setTimeout> | undefined;
}

export class SharedOutputs {
  #entries = new Map<string, Entry>();
  #closed = false;

  /** Number of live outputs (for stats). */
  get size(): number {
    return this.#entries.size;
  }

  /** The ids of the live outputs (for stats and tests). */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** True when an output of that id is live (held or lingering). */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The live output `id` without taking a lease (stats, tests). */
  peek<T extends SharedOutput>(id: string): T | undefined {
    return this.#entries.get(id)?.value as T | undefined;
  }

  /** References held on `id` (0 when lingering or absent). */
  refs(id: string): number {
    return this.#entries.get(id)?.refs ?? 0;
  }

  /**
   * A lease on the output `id`, created with `create` when absent. After `takeAll()` (the stream
   * ended) the output is private to this lease and closed by its release: a late player then sees
   * the end through the output itself rather than an exception.
   */
  acquire<T extends SharedOutput>(id: string, create: () => T): Lease<T> {
    if (this.#closed) {
      const value = create();
      return { value, release: () => value.close() };
    }
    let e = this.#entries.get(id);
    if (!e) {
      e = { value: create(), refs: 0, linger: undefined };
      this.#entries.set(id, e);
    }
    if (e.linger !== undefined) {
      clearTimeout(e.linger);
      e.linger = undefined;
    }
    e.refs++;
    const entry = e;
    let released = false;
    return {
      value: entry.value as T,
      release: (lingerMs = 0) => {
        if (released) return;
        released = true;
        this.#release(id, entry, lingerMs);
      },
    };
  }

  #release(id: string, e: Entry, lingerMs: number) {
    if (this.#entries.get(id) !== e) return; // already closed with the stream
    if (--e.refs > 0) return;
    if (lingerMs <= 0) return this.#drop(id, e);
    e.linger = setTimeout(() => {
      e.linger = undefined;
      if (e.refs === 0) this.#drop(id, e);
    }, lingerMs);
  }

  #drop(id: string, e: Entry) {
    this.#entries.delete(id);
    e.value.close();
  }

  /** Detaches every output (the stream ended): returns them so the caller closes them when ready. */
  takeAll(): SharedOutput[] {
    this.#closed = true;
    const all: SharedOutput[] = [];
    for (const e of this.#entries.values()) {
      clearTimeout(e.linger);
      all.push(e.value);
    }
    this.#entries.clear();
    return all;
  }
}
