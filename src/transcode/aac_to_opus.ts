/**
 * AAC → Opus for one stream: a Reader of the source stream that decodes each AAC frame (our AAC-LC
 * decoder), maps the channels to mono or stereo, resamples to 48 kHz (our polyphase resampler; not
 * needed for 8, 12, 16, 24 and 48 kHz sources, which libopus takes as they are), cuts 20 ms frames
 * and encodes them (libopus), producing frames of a derived Opus track.
 *
 * Timestamps come from sample counts: after a (re)start at source time t0, output frame k has
 * pts = t0·48000/rate + 960·k. To make decoded Opus line up with the source (and its video) to the
 * sample, the first `delay` resampled samples (the encoder's look-ahead plus the resampler's group
 * delay) are not encoded: the decoder's output sample j then is the source at t0 + j, and the
 * first few milliseconds after a (re)start are silence. A jump in the source timestamps (more than
 * half a frame off the expected one) restarts the timeline there with fresh codec states.
 * A malformed AAC frame is skipped with a counted error and replaced by silence, so the timeline
 * stays continuous; the stream goes on.
 */
import type { Frame, OpusTrack, SharedOutput, Stream, Track } from "../core/mod.ts";
import { rescale } from "../core/mod.ts";
import { aacFrameSamples, opusTrack } from "../codecs/mod.ts";
import type { AacDecoder } from "../codecs/aac/mod.ts";
import type { OpusEncoder } from "../codecs/opus/mod.ts";
// The framing constants alone: codecs/opus/mod.ts would load libopus (see codecs.ts).
import { OPUS_FRAME_SAMPLES, OPUS_INPUT_RATES, type OpusInputRate } from "../codecs/opus/frame.ts";
import type { Logger } from "../log/logger.ts";
import { downmix, mappedChannels } from "./downmix.ts";
import { Resampler } from "./resampler.ts";
import { loadedCodecs, requireCodecs, transcodeCodecs } from "./codecs.ts";

export interface AacToOpusOptions {
  /** Opus bitrate in bit/s (default 96000 stereo, 48000 mono). */
  bitrate?: number;
  /** Variable bitrate (default true). */
  vbr?: boolean;
  /**
   * libopus complexity 0..10 (default 10): lower trades quality for speed (see OpusEncoderOptions);
   * it matters most for 8–16 kHz sources, which SILK codes.
   */
  complexity?: number;
  /** The encoder's signal hint (default "auto" for 8–16 kHz sources, "music" (CELT) otherwise). */
  signal?: "auto" | "voice" | "music";
  log?: Logger;
  /** The Reader's queue bound in media time; past it whole frames are dropped (default 2000 ms). */
  maxQueueMs?: number;
}

export interface TranscoderStats {
  /** Source audio frames taken in. */
  framesIn: number;
  /** Opus frames emitted. */
  framesOut: number;
  /** Malformed source frames skipped (replaced by silence). */
  errors: number;
  /** Source frames dropped by the Reader queue (CPU pressure). */
  dropped: number;
  /** Timeline restarts (timestamp jumps, track changes). */
  restarts: number;
}

/** The derived audio of one stream, shared by every output that asked for it. */
export interface TranscodedAudio extends SharedOutput {
  /** The derived track, known from the first source frame. */
  readonly track: OpusTrack | undefined;
  readonly stats: TranscoderStats;
  /** Calls fn with every derived frame (immutable, shared); returns the unsubscribe function. */
  onFrame(fn: (frame: Frame) => void): () => void;
}

interface Chain {
  source: Track;
  decoder: AacDecoder;
  resampler: Resampler;
  encoder: OpusEncoder;
  track: OpusTrack;
  channels: 1 | 2;
  /** Source samples (at the track clock) per AAC frame. */
  frameTicks: number;
  /** Resampled samples still to discard before encoding (the chain's delay, after a start). */
  skip: number;
  /** Timeline origin at 48 kHz and the output frames emitted since. */
  base: number;
  emitted: number;
  /** The next expected source pts. */
  nextPts: number;
  pending: Float32Array[];
  pendingLength: number;
}

export class AacToOpus implements TranscodedAudio {
  readonly stats: TranscoderStats = { framesIn: 0, framesOut: 0, errors: 0, dropped: 0, restarts: 0 };
  readonly #opts: AacToOpusOptions;
  readonly #listeners = new Set<(f: Frame) => void>();
  readonly #reader;
  #chain: Chain | undefined;
  #closed = false;
  #loggedError = false;

  constructor(stream: Stream, opts: AacToOpusOptions = {}) {
    this.#opts = opts;
    this.#reader = stream.addReader((frames) => this.#take(frames), {
      maxDurationMs: opts.maxQueueMs ?? 2000,
      onDrop: (_r, frames) => this.stats.dropped += frames,
    });
    // Audio needs no video keyframe to restart after a drop: any audio frame will do.
    this.#reader.isRestartPoint = (f) => f.key && f.track.kind === "audio";
  }

  get track(): OpusTrack | undefined {
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
    this.#chain?.encoder.close();
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
      this.#opts.log?.error("transcoder codecs failed to load: AAC → Opus is off for this stream", { err });
      this.close();
    });
  }

  #onFrames(frames: readonly Frame[]): void {
    for (const f of frames) {
      if (this.#closed) return;
      if (f.track.codec !== "aac") continue;
      this.stats.framesIn++;
      this.#onAac(f);
    }
  }

  #onAac(f: Frame): void {
    let chain = this.#chain;
    if (!chain || chain.source !== f.track) {
      chain = this.#start(f);
      if (!chain) return;
    } else if (Math.abs(f.pts - chain.nextPts) * 2 > chain.frameTicks) {
      this.#restart(chain, f.pts);
    }
    chain.nextPts = f.pts + chain.frameTicks;
    let planes: Float32Array[];
    try {
      planes = chain.decoder.decode(f.data);
    } catch (e) {
      this.stats.errors++;
      if (!this.#loggedError) {
        this.#loggedError = true;
        this.#opts.log?.warn("AAC frame skipped by the Opus transcoder", { error: e, pts: f.pts });
      }
      planes = Array.from(
        { length: chain.decoder.info.channels || chain.channels },
        () => new Float32Array(1024),
      );
    }
    const mapped = downmix(planes);
    if (mapped.length !== chain.channels) return; // a frame that changed its channel count: skip it
    this.#push(chain, chain.resampler.process(mapped));
  }

  #start(f: Frame): Chain | undefined {
    if (f.track.codec !== "aac") return undefined;
    this.#chain?.encoder.close();
    this.#chain = undefined;
    let decoder: AacDecoder;
    try {
      decoder = new (requireCodecs().AacDecoder)(f.track.config);
    } catch (e) {
      this.stats.errors++;
      if (!this.#loggedError) {
        this.#loggedError = true;
        this.#opts.log?.warn("AAC track not transcoded to Opus", { error: e });
      }
      return undefined;
    }
    const info = decoder.info;
    const sourceChannels = info.channels || f.track.channels || 2;
    const channels = mappedChannels(sourceChannels);
    if (info.sbr) {
      this.#opts.log?.info("HE-AAC source: transcoding its AAC-LC core only (half the rate, band-limited)", {
        rate: info.sampleRate,
      });
    }
    if (sourceChannels > 2) {
      this.#opts.log?.info("AAC source downmixed to stereo for Opus", { channels: sourceChannels });
    }
    const native = (OPUS_INPUT_RATES as readonly number[]).includes(info.sampleRate);
    const rate = (native ? info.sampleRate : 48000) as OpusInputRate;
    const resampler = new Resampler(info.sampleRate, rate, channels);
    const encoder = this.#encoder(channels, rate);
    const chain: Chain = {
      source: f.track,
      decoder,
      resampler,
      encoder,
      track: opusTrack(channels),
      channels,
      frameTicks: aacFrameSamples(f.track),
      skip: encoder.lookahead + resampler.delay,
      base: rescale(f.pts, f.track.clockRate, 48000),
      emitted: 0,
      nextPts: f.pts,
      pending: Array.from({ length: channels }, () => new Float32Array(4 * OPUS_FRAME_SAMPLES)),
      pendingLength: 0,
    };
    this.#chain = chain;
    if (this.stats.framesIn > 1) this.stats.restarts++;
    return chain;
  }

  /** A timestamp jump: a new timeline from `pts`, with fresh filter and encoder states. */
  #restart(chain: Chain, pts: number): void {
    this.stats.restarts++;
    chain.decoder.reset();
    chain.resampler.reset();
    chain.encoder.close();
    chain.encoder = this.#encoder(chain.channels, chain.encoder.sampleRate);
    chain.skip = chain.encoder.lookahead + chain.resampler.delay;
    chain.base = rescale(pts, chain.source.clockRate, 48000);
    chain.emitted = 0;
    chain.pendingLength = 0;
  }

  /**
   * The encoder for a chain. A source wider than 16 kHz goes to CELT ("music"), which libopus would
   * otherwise leave to SILK/hybrid for mono speech up to 64 kbit/s: a quarter of the cost and no less
   * SNR (measured, docs/codecs.md). An 8–16 kHz source is coded as it is, by SILK: CELT would cost
   * 3 dB of SNR on speech there, so it keeps SILK's cost (see the `complexity` option).
   */
  #encoder(channels: 1 | 2, sampleRate: OpusInputRate): OpusEncoder {
    const narrow = sampleRate <= 16000;
    return new (requireCodecs().OpusEncoder)({
      channels,
      sampleRate,
      bitrate: this.#opts.bitrate ?? (channels === 2 ? 96000 : 48000),
      vbr: this.#opts.vbr,
      complexity: this.#opts.complexity,
      signal: this.#opts.signal ?? (narrow ? "auto" : "music"),
    });
  }

  /** Appends samples at the encoder's rate and encodes every whole 20 ms frame. */
  #push(chain: Chain, planes: Float32Array[]): void {
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
    const size = chain.encoder.frameSamples;
    while (chain.pendingLength - at >= size) {
      const frame = chain.pending.map((p) => p.subarray(at, at + size));
      at += size;
      const packet = chain.encoder.encode(frame);
      const pts = chain.base + chain.emitted * OPUS_FRAME_SAMPLES;
      chain.emitted++;
      this.stats.framesOut++;
      const out: Frame = { track: chain.track, dts: pts, pts, key: true, data: packet };
      for (const fn of this.#listeners) fn(out);
    }
    if (at > 0) {
      for (const p of chain.pending) p.copyWithin(0, at, chain.pendingLength);
      chain.pendingLength -= at;
    }
  }
}
