/**
 * The stream as the outputs that carry AAC only (legacy FLV players, MPEG-TS HLS) see it: a derived
 * Stream with the source's video and its Opus audio replaced by the transcoded AAC (`audioAs(source,
 * "aac")`). An output takes `aacView(source).value.stream` instead of the source when the source's
 * audio is Opus, and muxes it as any stream: fan-outs, GOP cache and segmenters work unchanged.
 *
 * It is a shared output of the source (id `audio:aac-view`): one per stream whatever the number of
 * outputs on it, started by the first lease, stopped by the last release or the source's end. The
 * derived track is announced before the first frame (AAC at 48 kHz, the source's channel count), so
 * outputs that wait for the tracks start at once, and every AAC frame carries that one track object.
 * Players are counted, and admitted, on the source; the view's own counters are its fan-outs' bytes.
 */
import type { AacTrack, Frame, GopCacheOptions, Lease, SharedOutput } from "../core/mod.ts";
import { Stream } from "../core/mod.ts";
import type { Logger } from "../log/logger.ts";
import { aacTrackFor, OpusToAac, type OpusToAacOptions, type TranscodedAac } from "./opus_to_aac.ts";

export const AAC_VIEW_ID = "audio:aac-view";

/** The view's own GOP cache (it starts its players as the source does). */
const VIEW_GOP: GopCacheOptions = { enabled: true, maxFrames: 4096, maxBytes: 64 << 20 };

export interface AacViewOptions extends OpusToAacOptions {
  gop?: GopCacheOptions;
  log?: Logger;
}

/** True when outputs that carry AAC only need the view of this stream. */
export function needsAacView(source: Stream): boolean {
  return source.audioTrack?.codec === "opus";
}

export class AacView implements SharedOutput {
  /** The derived stream: the source's video, AAC audio. */
  readonly stream: Stream;
  readonly #transcoder: Lease<TranscodedAac>;
  readonly #off: () => void;
  readonly #reader;
  #track: AacTrack | undefined;
  #closed = false;

  constructor(source: Stream, opts: AacViewOptions = {}) {
    const view = new Stream({
      app: source.app,
      name: source.name,
      vhost: source.vhost,
      info: source.info,
      gop: opts.gop ?? VIEW_GOP,
    });
    this.stream = view;
    view.metadata = source.metadata;
    if (source.videoTrack) view.setTrack(source.videoTrack);
    const audio = source.audioTrack;
    if (audio?.codec === "opus") {
      this.#track = aacTrackFor(audio, opts);
      view.setTrack(this.#track);
    }
    view.expectTracks({ video: source.videoTrack !== undefined, audio: true });
    // The transcoder first: both Readers start from the source's GOP cache.
    this.#transcoder = source.outputs.acquire<TranscodedAac>(
      `audio:aac:${opts.bitrate ?? "default"}`,
      () => new OpusToAac(source, opts),
    );
    this.#off = this.#transcoder.value.onFrame((f) => this.#onAac(f));
    this.#reader = source.addReader((frames) => this.#onFrames(frames), {
      onClose: (_r, reason) => this.#end(reason),
    });
    source.ended.then((reason) => this.#end(reason));
  }

  #onFrames(frames: readonly Frame[]): void {
    for (const f of frames) if (f.track.kind !== "audio") this.stream.write(f);
  }

  #onAac(f: Frame): void {
    const t = f.track as AacTrack;
    // One track object for the same parameters: a new object would look like a track change.
    if (!this.#track || !sameConfig(this.#track, t)) this.#track = t;
    this.stream.write(f.track === this.#track ? f : { ...f, track: this.#track });
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#off();
    this.#transcoder.release();
    this.#reader.close(reason);
    this.stream.end(reason);
  }

  close(): void {
    this.#end("no AAC output left");
  }
}

function sameConfig(a: AacTrack, b: AacTrack): boolean {
  return a.config.length === b.config.length && a.config.every((v, i) => v === b.config[i]);
}

/** A lease on the source's AAC view, created on the first lease. */
export function aacView(source: Stream, opts: AacViewOptions = {}): Lease<AacView> {
  return source.outputs.acquire<AacView>(AAC_VIEW_ID, () => new AacView(source, opts));
}
