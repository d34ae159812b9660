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
import type { Frame, OpusTrack, Stream, Track } from "../core/mod.ts";
import { rescale } from "../core/mod.ts";
import { aacFrameSamples, opusTrack } from "../codecs/mod.ts";
import type { AacDecoder } from "../codecs/aac/mod.ts";
import type { OpusEncoder } from "../codecs/opus/mod.ts";
// The framing constants alone: codecs/opus/mod.ts would load libopus (see codecs.ts).
import { OPUS_FRAME_SAMPLES, OPUS_INPUT_RATES, type OpusInputRate } from "../codecs/opus/frame.ts";
import { downmix, mappedChannels } from "./downmix.ts";
import { Resampler } from "./resampler.ts";
import { requireCodecs } from "./codecs.ts";
import { AudioTranscoder, FrameCutter, type Transcoded, type TranscoderOptions } from "./transcoder.ts";

export interface AacToOpusOptions extends TranscoderOptions {
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
}

export type { TranscoderStats } from "./transcoder.ts";

/** The derived Opus audio of one stream, shared by every output that asked for it. */
export type TranscodedAudio = Transcoded<OpusTrack>;

interface Chain {
  source: Track;
  decoder: AacDecoder;
  resampler: Resampler;
  encoder: OpusEncoder;
  track: OpusTrack;
  channels: 1 | 2;
  /** Source samples (at the track clock) per AAC frame. */
  frameTicks: number;
  /** 20 ms frames, after the chain's delay (resampled samples not encoded after a start). */
  cutter: FrameCutter;
  /** Timeline origin at 48 kHz and the output frames emitted since. */
  base: number;
  emitted: number;
  /** The next expected source pts. */
  nextPts: number;
}

export class AacToOpus extends AudioTranscoder<OpusTrack> {
  readonly #opts: AacToOpusOptions;
  #chain: Chain | undefined;

  constructor(stream: Stream, opts: AacToOpusOptions = {}) {
    super(stream, "aac", "AAC → Opus", opts);
    this.#opts = opts;
  }

  get track(): OpusTrack | undefined {
    return this.#chain?.track;
  }

  protected release(): void {
    this.#chain?.encoder.close();
    this.#chain = undefined;
  }

  protected onSource(f: Frame): void {
    this.#onAac(f);
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
      this.fault("AAC frame skipped by the Opus transcoder", { error: e, pts: f.pts });
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
      this.fault("AAC track not transcoded to Opus", { error: e });
      return undefined;
    }
    const info = decoder.info;
    const sourceChannels = info.channels || f.track.channels || 2;
    const channels = mappedChannels(sourceChannels);
    if (info.sbr) {
      this.log?.info("HE-AAC source: transcoding its AAC-LC core only (half the rate, band-limited)", {
        rate: info.sampleRate,
      });
    }
    if (sourceChannels > 2) {
      this.log?.info("AAC source downmixed to stereo for Opus", { channels: sourceChannels });
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
      cutter: new FrameCutter(channels, encoder.frameSamples, encoder.lookahead + resampler.delay),
      base: rescale(f.pts, f.track.clockRate, 48000),
      emitted: 0,
      nextPts: f.pts,
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
    chain.cutter.reset(chain.encoder.lookahead + chain.resampler.delay);
    chain.base = rescale(pts, chain.source.clockRate, 48000);
    chain.emitted = 0;
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
    chain.cutter.push(planes, (frame) => {
      const packet = chain.encoder.encode(frame);
      const pts = chain.base + chain.emitted * OPUS_FRAME_SAMPLES;
      chain.emitted++;
      this.emit({ track: chain.track, dts: pts, pts, key: true, data: packet });
    });
  }
}
