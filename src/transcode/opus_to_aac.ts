/**
 * Opus → AAC for one stream: a Reader of the source stream that decodes each Opus packet (libopus),
 * resamples when the AAC rate is not 48 kHz (our polyphase resampler; by default AAC stays at 48 kHz
 * and nothing is resampled), cuts 1024-sample frames and encodes them (our AAC-LC encoder), producing
 * frames of a derived AAC track.
 *
 * Timestamps come from sample counts: after a (re)start at source time t0 (48 kHz), output frame k has
 * pts = t0·rate/48000 + 1024·k. The chain's delay (the encoder's 2048 samples plus the resampler's) is
 * taken off the audio, not the timestamps: the first `delay` samples are not encoded, so the decoded
 * AAC lines up with the source (and its video) to the sample; the first ~43 ms after a (re)start are
 * silence. A gap in the source timestamps of up to a second (lost packets) is filled with silence so
 * the timeline stays continuous; a larger jump, or one backwards, restarts the timeline with fresh
 * codec states. A malformed Opus packet is replaced by silence of the last packet's duration and
 * counted; the stream goes on.
 */
import type { AacTrack, Frame, SharedOutput, Stream, Track } from "../core/mod.ts";
import { rescale } from "../core/mod.ts";
import { aacTrack, buildAsc } from "../codecs/mod.ts";
import type { AacEncoder } from "../codecs/aac/mod.ts";
import type { OpusDecoder } from "../codecs/opus/mod.ts";
// The frame size alone: codecs/aac/mod.ts would load the AAC tables (see codecs.ts).
import { AAC_FRAME_SAMPLES } from "../codecs/aac/frame.ts";
import type { Logger } from "../log/logger.ts";
import type { TranscoderStats } from "./aac_to_opus.ts";
import { Resampler } from "./resampler.ts";
import { loadedCodecs, requireCodecs, transcodeCodecs } from "./codecs.ts";

export interface OpusToAacOptions {
  /** AAC bitrate in bit/s (default 128000 stereo, 64000 mono). */
  bitrate?: number;
  /** AAC sampling rate (default 48000: no resampling). */
  sampleRate?: number;
  log?: Logger;
  /** The Reader's queue bound in media time; past it whole frames are dropped (default 2000 ms). */
  maxQueueMs?: number;
}

/** The derived AAC audio of one stream, shared by every output that asked for it. */
export interface TranscodedAac extends SharedOutput {
  /** The derived track, known from the first source frame. */
  readonly track: AacTrack | undefined;
  readonly stats: TranscoderStats;
  /** Calls fn with every derived frame (immutable, shared); returns the unsubscribe function. */
  onFrame(fn: (frame: Frame) => void): () => void;
}

/** A gap in the source up to this (48 kHz ticks) is filled with silence instead of a restart. */
const MAX_FILLED_GAP = 48000;
const OPUS_RATE = 48000;

interface Chain {
  source: Track;
  decoder: OpusDecoder;
  resampler: Resampler;
  encoder: AacEncoder;
  track: AacTrack;
  channels: 1 | 2;
  /** Samples (at the AAC rate) still to discard before encoding. */
  skip: number;
  /** Timeline origin at the AAC rate and the frames emitted since. */
  base: number;
  emitted: number;
  /** The next expected source pts (48 kHz) and the last packet's duration. */
  nextPts: number;
  lastSamples: number;
  pending: Float32Array[];
  pendingLength: number;
}

/** The AAC track the transcoder makes from an Opus source (known before the first frame). */
export function aacTrackFor(
  source: { channels: number },
  o: { sampleRate?: number; bitrate?: number } = {},
): AacTrack {
  const channels = source.channels === 1 ? 1 : 2;
  // The encoder writes this same AudioSpecificConfig (AAC-LC); building it here needs no encoder.
  return aacTrack(buildAsc({ objectType: 2, sampleRate: o.sampleRate ?? OPUS_RATE, channels }));
}

export class OpusToAac implements TranscodedAac {
  readonly stats: TranscoderStats = { framesIn: 0, framesOut: 0, errors: 0, dropped: 0, restarts: 0 };
  readonly #opts: OpusToAacOptions;
  readonly #listeners = new Set<(f: Frame) => void>();
  readonly #reader;
  #chain: Chain | undefined;
  #closed = false;
  #loggedError = false;

  constructor(stream: Stream, opts: OpusToAacOptions = {}) {
    this.#opts = opts;
    this.#reader = stream.addReader((frames) => this.#take(frames), {
      maxDurationMs: opts.maxQueueMs ?? 2000,
      onDrop: (_r, frames) => this.stats.dropped += frames,
    });
    // Audio needs no video keyframe to restart after a drop: any audio frame will do.
    this.#reader.isRestartPoint = (f) => f.key && f.track.kind === "audio";
  }

  get track(): AacTrack | undefined {
    return this.#chain?.track;
  }

  onFrame(fn: (frame: Frame) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.close("transcoder closed");
    this.#chain?.decoder.close();
    this.#chain = undefined;
    this.#listeners.clear();
  }

  /** Feeds frames directly (tests and benchmarks, after `await transcodeCodecs()`). */
  write(frames: readonly Frame[]): void {
    requireCodecs();
    this.#onFrames(frames);
  }

  /** The Reader's sink: the first frames wait for the codecs to load (codecs.ts). */
  #take(frames: readonly Frame[]): void | Promise<void> {
    if (loadedCodecs()) return this.#onFrames(frames);
    return transcodeCodecs().then(() => this.#onFrames(frames), (err) => {
      this.#opts.log?.error("transcoder codecs failed to load: Opus → AAC is off for this stream", { err });
      this.close();
    });
  }

  #onFrames(frames: readonly Frame[]): void {
    for (const f of frames) {
      if (this.#closed) return;
      if (f.track.codec !== "opus") continue;
      this.stats.framesIn++;
      this.#onOpus(f);
    }
  }

  #onOpus(f: Frame): void {
    let chain = this.#chain;
    if (!chain || chain.source !== f.track) {
      chain = this.#start(f);
      if (!chain) return;
    } else {
      const gap = f.pts - chain.nextPts;
      if (gap > chain.lastSamples / 2 && gap <= MAX_FILLED_GAP) {
        this.#push(chain, this.#silence(chain, gap)); // lost packets: silence keeps the timeline
      } else if (gap > MAX_FILLED_GAP || gap < -chain.lastSamples / 2) {
        this.#restart(chain, f.pts);
      }
    }
    let planes: Float32Array[];
    try {
      planes = chain.decoder.decode(f.data);
      chain.lastSamples = planes[0].length;
    } catch (e) {
      this.stats.errors++;
      if (!this.#loggedError) {
        this.#loggedError = true;
        this.#opts.log?.warn("Opus frame skipped by the AAC transcoder", { error: e, pts: f.pts });
      }
      planes = this.#silence(chain, chain.lastSamples);
    }
    chain.nextPts = f.pts + planes[0].length;
    this.#push(chain, planes);
  }

  #silence(chain: Chain, samples: number): Float32Array[] {
    return Array.from({ length: chain.channels }, () => new Float32Array(samples));
  }

  #start(f: Frame): Chain | undefined {
    if (f.track.codec !== "opus") return undefined;
    this.#chain?.decoder.close();
    this.#chain = undefined;
    const channels: 1 | 2 = f.track.channels === 1 ? 1 : 2;
    let encoder: AacEncoder;
    let decoder: OpusDecoder;
    try {
      if (f.track.channels > 2) {
        throw new Error(`Opus source of ${f.track.channels} channels is unsupported: must be mono or stereo`);
      }
      encoder = this.#encoder(channels);
      decoder = new (requireCodecs().OpusDecoder)({ channels });
    } catch (e) {
      this.stats.errors++;
      if (!this.#loggedError) {
        this.#loggedError = true;
        this.#opts.log?.warn("Opus track not transcoded to AAC", { error: e });
      }
      return undefined;
    }
    const resampler = new Resampler(OPUS_RATE, encoder.sampleRate, channels);
    const chain: Chain = {
      source: f.track,
      decoder,
      resampler,
      encoder,
      track: aacTrack(encoder.config),
      channels,
      skip: encoder.delay + resampler.delay,
      base: rescale(f.pts, OPUS_RATE, encoder.sampleRate),
      emitted: 0,
      nextPts: f.pts,
      lastSamples: 960,
      pending: Array.from({ length: channels }, () => new Float32Array(4 * AAC_FRAME_SAMPLES)),
      pendingLength: 0,
    };
    this.#chain = chain;
    if (this.stats.framesIn > 1) this.stats.restarts++;
    return chain;
  }

  /** A timestamp jump: a new timeline from `pts`, with fresh filter and codec states. */
  #restart(chain: Chain, pts: number): void {
    this.stats.restarts++;
    chain.decoder.close();
    chain.decoder = new (requireCodecs().OpusDecoder)({ channels: chain.channels });
    chain.resampler.reset();
    chain.encoder.reset();
    chain.skip = chain.encoder.delay + chain.resampler.delay;
    chain.base = rescale(pts, OPUS_RATE, chain.encoder.sampleRate);
    chain.emitted = 0;
    chain.pendingLength = 0;
  }

  #encoder(channels: 1 | 2): AacEncoder {
    return new (requireCodecs().AacEncoder)({
      sampleRate: this.#opts.sampleRate ?? OPUS_RATE,
      channels,
      bitrate: this.#opts.bitrate ?? (channels === 2 ? 128000 : 64000),
    });
  }

  /** Appends 48 kHz samples (resampled if needed) and encodes every whole 1024-sample frame. */
  #push(chain: Chain, planes: Float32Array[]): void {
    if (chain.encoder.sampleRate !== OPUS_RATE) planes = chain.resampler.process(planes);
    if (chain.skip > 0) {
      const drop = Math.min(chain.skip, planes[0].length);
      chain.skip -= drop;
      planes = planes.map((p) => p.subarray(drop));
    }
    const n = planes[0].length;
    if (chain.pendingLength + n > chain.pending[0].length) {
      chain.pending = chain.pending.map((p) => {
        const bigger = new Float32Array(2 * (chain.pendingLength + n));
        bigger.set(p.subarray(0, chain.pendingLength));
        return bigger;
      });
    }
    for (let c = 0; c < chain.channels; c++) chain.pending[c].set(planes[c], chain.pendingLength);
    chain.pendingLength += n;
    let at = 0;
    while (chain.pendingLength - at >= AAC_FRAME_SAMPLES) {
      const frame = chain.pending.map((p) => p.subarray(at, at + AAC_FRAME_SAMPLES));
      at += AAC_FRAME_SAMPLES;
      const data = chain.encoder.encode(frame);
      const pts = chain.base + chain.emitted * AAC_FRAME_SAMPLES;
      chain.emitted++;
      this.stats.framesOut++;
      const out: Frame = { track: chain.track, dts: pts, pts, key: true, data };
      for (const fn of this.#listeners) fn(out);
    }
    if (at > 0) {
      for (const p of chain.pending) p.copyWithin(0, at, chain.pendingLength);
      chain.pendingLength -= at;
    }
  }
}
