/**
 * The stream as the outputs that carry AAC only (legacy FLV players, MPEG-TS HLS) see it: a derived
 * Stream with the source's video and its Opus audio replaced by the transcoded AAC (`audioAs(source,
 * "aac")`). An output takes `aacView(source).value.stream` instead of the source when the source's
 * audio is Opus, and muxes it as any stream: fan-outs, GOP cache and segmenters work unchanged.
 *
 * It is a shared output of the source (id `audio:aac-view:<bitrate>`): one per stream and AAC bitrate
 * whatever the number of outputs on it, started by the first lease, stopped by the last release or the
 * source's end. After a reload that changes `<rtc><aacbitrate>`, players that come after it share a new
 * view while the running one keeps its bitrate. The
 * derived track is announced before the first frame (AAC at 48 kHz, the source's channel count), so
 * outputs that wait for the tracks start at once, and every AAC frame carries that one track object.
 * Players are counted, and admitted, on the source; the view's own counters are its fan-outs' bytes.
 */
import type { AacTrack, Frame, GopCacheOptions, Lease, SharedOutput } from "../core/mod.ts";
import { Stream } from "../core/mod.ts";
import type { Logger } from "../log/logger.ts";
import { aacTrackFor, OpusToAac, type OpusToAacOptions, type TranscodedAac } from "./opus_to_aac.ts";
import { transcoderId } from "./ids.ts";

/** The prefix of the views' shared-output ids (`audio:aac-view:<bitrate>`). */
export const AAC_VIEW_ID = "audio:aac-view";

/** The shared-output id of a stream's AAC view at `bitrate` (bit/s; undefined: the encoder's default). */
export function aacViewId(bitrate: number | undefined): string {
  return `${AAC_VIEW_ID}:${bitrate ?? "default"}`;
}

/** True when some AAC view of the stream runs (any bitrate). */
export function hasAacView(source: Stream): boolean {
  return source.outputs.ids().some((id) => id.startsWith(`${AAC_VIEW_ID}:`));
}

/**
 * Opus → AAC for the outputs that carry AAC only, from `<rtc><transcode>` and `<rtc><aacbitrate>`:
 * the AAC bitrate in bit/s (undefined: the encoder's default), or null when transcoding is off.
 */
export type AacViewSettings = { bitrate?: number } | null;

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
      transcoderId("aac", opts.bitrate),
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

/** A lease on the source's AAC view at `opts.bitrate`, created on the first lease. */
export function aacView(source: Stream, opts: AacViewOptions = {}): Lease<AacView> {
  return source.outputs.acquire<AacView>(aacViewId(opts.bitrate), () => new AacView(source, opts));
}

/** What an output that carries AAC only plays: a stream, and the view's lease to give back with it. */
export interface AacOutputSource {
  stream: Stream;
  /** The AAC view held for this player; undefined when it plays the source itself. */
  view: Lease<AacView> | undefined;
}

/**
 * The stream an output that carries AAC only (a player without Opus) plays: the source's AAC view
 * when its audio is Opus and transcoding is on (`settings` not null), else the source itself. With
 * transcoding off an Opus source plays as it is, and `log` gets one line saying so (once per call:
 * call it once per player).
 */
export function aacOutput(source: Stream, settings: AacViewSettings, log?: Logger): AacOutputSource {
  if (!needsAacView(source)) return { stream: source, view: undefined };
  if (settings === null) {
    log?.warn(
      "audio is Opus, which this player may not decode: Opus → AAC transcoding is off (<rtc><transcode>)",
      { key: source.key },
    );
    return { stream: source, view: undefined };
  }
  const view = aacView(source, { bitrate: settings.bitrate, log });
  return { stream: view.value.stream, view };
}
