/**
 * A feature's modules loaded on first use instead of at start: `lazy(() => import("./x.ts"), hooks)`
 * returns a function that imports once and hands every caller the same result. A failed import is
 * reported once per attempt (`failed`), is not cached (the next call tries again), and rejects with what
 * `failed` returns, so that the caller can refuse that one request with a typed error.
 *
 * Keep the specifier a static string: `deno compile` embeds only modules it can see.
 */
export interface LazyHooks {
  /** The import took `ms`. */
  loaded?(ms: number): void;
  /** The import failed with `err`; returns the error the waiting callers get. */
  failed(err: unknown): Error;
}

export function lazy<T>(load: () => Promise<T>, hooks: LazyHooks): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    pending ??= (async () => {
      const started = performance.now();
      let value: T;
      try {
        value = await load();
      } catch (err) {
        pending = undefined;
        throw hooks.failed(err);
      }
      hooks.loaded?.(performance.now() - started);
      return value;
    })();
}
