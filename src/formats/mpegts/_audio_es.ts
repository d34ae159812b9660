/**
 * Audio elementary streams: a PES holds one or more frames (ADTS AAC, Opus access units with their
 * control header, MPEG audio). Frame i of a PES gets PES-PTS (in samples) + i × frame samples,
 * counted from the PES timestamp so rounding never accumulates.
 */
import type { AacTrack, AudioTrack, Mp3Track, OpusTrack } from "../../core/track.ts";
import { EstuaryError } from "../../core/errors.ts";
import {
  aacFrameSamples,
  aacTrack,
  buildAsc,
  mp3Track,
  opusPacketSamples,
  opusTrack,
  parseAdtsHeader,
  parseMpegAudioHeader,
} from "../../codecs/mod.ts";
import { rescaleTime } from "./_clock.ts";
import type { EsParser, EsSink } from "./_es.ts";

abstract class AudioEs<T extends AudioTrack> implements EsParser {
  readonly keepsViews = true;
  protected readonly sink: EsSink;
  protected current: T | undefined;
  // The next frame's time: a PES timestamp in samples plus a count of samples since it.
  #base: number | undefined;
  #count = 0;
  // The 90 kHz PTS of the PES being parsed, until the first frame starting in it takes it.
  #pesPts: number | undefined;

  constructor(sink: EsSink) {
    this.sink = sink;
  }

  get track(): T | undefined {
    return this.current;
  }

  protected abstract parse(payload: Uint8Array): void;

  pes(payload: Uint8Array, pts: number | undefined, _dts: number | undefined): void {
    this.#pesPts = pts;
    this.parse(payload);
  }

  /** `continued`: the frame began in the previous PES, so this PES's PTS is not its time. */
  protected emit(track: T, data: Uint8Array, samples: number, continued = false): void {
    const old = this.current;
    if (track !== old) {
      this.current = track;
      this.sink.onTrack(track);
      if (old && this.#base !== undefined && old.clockRate !== track.clockRate) {
        this.#base = rescaleTime(this.#base + this.#count, old.clockRate, track.clockRate);
        this.#count = 0;
      }
    }
    if (!continued && this.#pesPts !== undefined) {
      this.#base = rescaleTime(this.#pesPts, 90000, track.clockRate);
      this.#count = 0;
      this.#pesPts = undefined;
    }
    if (this.#base === undefined) {
      this.sink.stats.droppedFrames++;
      return;
    }
    const ts = this.#base + this.#count;
    this.#count += samples;
    this.sink.stats.frames++;
    this.sink.onFrame({ track, dts: ts, pts: ts, key: true, data });
  }
}

/** ADTS AAC; a frame cut by the PES end is completed from the next PES. */
export class AacEs extends AudioEs<AacTrack> {
  #left: Uint8Array | undefined;
  #key = -1;

  protected parse(payload: Uint8Array): void {
    let bytes = payload;
    let continued = false;
    if (this.#left) {
      bytes = new Uint8Array(this.#left.length + payload.length);
      bytes.set(this.#left);
      bytes.set(payload, this.#left.length);
      continued = true;
      this.#left = undefined;
    }
    let o = 0;
    const n = bytes.length;
    while (o < n) {
      if (bytes[o] !== 0xff || o + 1 >= n || (bytes[o + 1] & 0xf6) !== 0xf0) {
        o++;
        this.sink.stats.garbageBytes++;
        continue;
      }
      if (n - o < 7) break;
      let h;
      try {
        h = parseAdtsHeader(bytes, o);
      } catch (e) {
        if (!(e instanceof EstuaryError)) throw e;
        o++;
        this.sink.stats.garbageBytes++;
        continue;
      }
      if (o + h.frameLength > n) break;
      const track = this.#trackFor(h.objectType, h.sampleRate, h.channelConfig);
      // The leftover frame began in the previous PES and keeps its timing.
      const data = bytes.subarray(o + h.headerLength, o + h.frameLength);
      this.emit(track, data, aacFrameSamples(track), continued && o === 0);
      continued = false;
      o += h.frameLength;
    }
    if (o < n) this.#left = bytes.slice(o);
  }

  #trackFor(objectType: number, sampleRate: number, channels: number): AacTrack {
    const key = (objectType * 1e6 + sampleRate) * 16 + channels;
    if (this.current && key === this.#key) return this.current;
    this.#key = key;
    return aacTrack(buildAsc({ objectType, sampleRate, channels }));
  }
}

/** Opus access units, each behind an opus_control_header (0x3FF prefix, au_size, trims). */
export class OpusEs extends AudioEs<OpusTrack> {
  readonly #trackOf: OpusTrack;

  constructor(sink: EsSink, channels: number) {
    super(sink);
    this.#trackOf = opusTrack(channels);
  }

  protected parse(payload: Uint8Array): void {
    let o = 0;
    const n = payload.length;
    while (o + 2 < n) {
      if (payload[o] !== 0x7f || (payload[o + 1] & 0xe0) !== 0xe0) {
        this.sink.stats.garbageBytes += n - o;
        return;
      }
      const flags = payload[o + 1];
      let i = o + 2;
      let size = 0;
      while (i < n && payload[i] === 0xff) size += payload[i++];
      if (i >= n) break;
      size += payload[i++];
      if (flags & 0x10) i += 2; // start_trim
      if (flags & 0x08) i += 2; // end_trim
      if (flags & 0x04) i += i < n ? 1 + payload[i] : 1; // control_extension
      if (i + size > n || size === 0) {
        this.sink.stats.garbageBytes += n - o;
        return;
      }
      const packet = payload.subarray(i, i + size);
      let samples: number;
      try {
        samples = opusPacketSamples(packet);
      } catch (e) {
        if (!(e instanceof EstuaryError)) throw e;
        samples = 960;
      }
      this.emit(this.#trackOf, packet, samples);
      o = i + size;
    }
  }
}

/** MPEG-1/2 Layer III frames (other layers are not carried by the Track model). */
export class Mp3Es extends AudioEs<Mp3Track> {
  protected parse(payload: Uint8Array): void {
    let o = 0;
    const n = payload.length;
    while (o + 4 <= n) {
      let h;
      try {
        h = parseMpegAudioHeader(payload, o);
      } catch (e) {
        if (!(e instanceof EstuaryError)) throw e;
        o++;
        this.sink.stats.garbageBytes++;
        continue;
      }
      if (h.frameLength === 0 || o + h.frameLength > n) break;
      if (h.layer === 3) {
        const t = this.current;
        const track = t && t.sampleRate === h.sampleRate && t.channels === h.channels
          ? t
          : mp3Track({ sampleRate: h.sampleRate, channels: h.channels });
        this.emit(track, payload.subarray(o, o + h.frameLength), h.samplesPerFrame);
      } else {
        this.sink.stats.droppedFrames++;
      }
      o += h.frameLength;
    }
  }
}
