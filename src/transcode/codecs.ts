/**
 * The codecs the transcoders run, loaded with the first transcoder instead of at start: libopus'
 * WebAssembly and the AAC tables are about 20 MB of memory that a server which never transcodes does not
 * need. A transcoder's Reader waits for the load (its queue bound applies meanwhile); code that feeds a
 * transcoder directly (tests, benchmarks) awaits `transcodeCodecs()` first.
 */
import type * as Impl from "./_codecs_impl.ts";

export type TranscodeCodecs = typeof Impl;

let loaded: TranscodeCodecs | undefined;
let pending: Promise<TranscodeCodecs> | undefined;

/** Loads the codecs once; a failed load is not kept (the next call tries again). */
export function transcodeCodecs(): Promise<TranscodeCodecs> {
  // A static specifier, so that `deno compile` embeds the module.
  return pending ??= import("./_codecs_impl.ts").then((m) => loaded = m, (err) => {
    pending = undefined;
    throw err;
  });
}

/** The codecs once loaded; undefined before. */
export function loadedCodecs(): TranscodeCodecs | undefined {
  return loaded;
}

/** The codecs, or a clear error for a caller that fed a transcoder before they were loaded. */
export function requireCodecs(): TranscodeCodecs {
  if (!loaded) {
    throw new Error("transcoder codecs are not loaded yet: await transcodeCodecs() before write()");
  }
  return loaded;
}
