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
import type { AacTrack, Frame, Stream, Track } from "../core/mod.ts";
import { rescale } from "../core/mod.ts";
import { aacTrack, buildAsc } from "../codecs/mod.ts";
import type { AacEncoder } from "../codecs/aac/mod.ts";
import type { OpusDecoder } from "../codecs/opus/mod.ts";
// The frame size alone: codecs/aac/mod.ts would load the AAC tables (see codecs.ts).
import { AAC_FRAME_SAMPLES } from "../codecs/aac/frame.ts";
import { Resampler } from "./resampler.ts";
import { requireCodecs } from "./codecs.ts";
import { AudioTranscoder, FrameCutter, type Transcoded, type TranscoderOptions } from "./transcoder.ts";

export interface OpusToAacOptions extends TranscoderOptions {
  /** AAC bitrate in bit/s (default 128000 stereo, 64000 mono). */
  bitrate?: number;
  /** AAC sampling rate (default 48000: no resampling). */
  sampleRate?: number;
}

/** The derived AAC audio of one stream, shared by every output that asked for it. */
export type TranscodedAac = Transcoded<AacTrack>;

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
  /** 1024-sample frames, after the chain's delay (samples at the AAC rate not encoded after a start). */
  cutter: FrameCutter;
  /** Timeline origin at the AAC rate and the frames emitted since. */
  base: number;
  emitted: number;
  /** The next expected source pts (48 kHz) and the last packet's duration. */
  nextPts: number;
  lastSamples: number;
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

export class OpusToAac extends AudioTranscoder<AacTrack> {
  readonly #opts: OpusToAacOptions;
  #chain: Chain | undefined;

  constructor(stream: Stream, opts: OpusToAacOptions = {}) {
    super(stream, "opus", "Opus → AAC", opts);
    this.#opts = opts;
  }

  get track(): AacTrack | undefined {
    return this.#chain?.track;
  }

  protected release(): void {
    this.#chain?.decoder.close();
    this.#chain = undefined;
  }

  protected onSource(f: Frame): void {
    this.#onOpus(f);
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
      this.fault("Opus frame skipped by the AAC transcoder", { error: e, pts: f.pts });
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
      this.fault("Opus track not transcoded to AAC", { error: e });
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
      cutter: new FrameCutter(channels, AAC_FRAME_SAMPLES, encoder.delay + resampler.delay),
      base: rescale(f.pts, OPUS_RATE, encoder.sampleRate),
      emitted: 0,
      nextPts: f.pts,
      lastSamples: 960,
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
    chain.cutter.reset(chain.encoder.delay + chain.resampler.delay);
    chain.base = rescale(pts, OPUS_RATE, chain.encoder.sampleRate);
    chain.emitted = 0;
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
    chain.cutter.push(planes, (frame) => {
      const data = chain.encoder.encode(frame);
      const pts = chain.base + chain.emitted * AAC_FRAME_SAMPLES;
      chain.emitted++;
      this.emit({ track: chain.track, dts: pts, pts, key: true, data });
    });
  }
}
