import type { OpusTrack } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";

export interface OpusHead {
  version: number;
  channels: number;
  /** Samples at 48 kHz to discard at the start. */
  preSkip: number;
  /** The original input rate (informational only: Opus always decodes at 48 kHz here). */
  inputSampleRate: number;
  /** Q7.8 dB. */
  outputGain: number;
  mappingFamily: number;
  streamCount?: number;
  coupledCount?: number;
  channelMapping?: Uint8Array;
}

const MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64]; // "OpusHead"

/** Parses an identification header (RFC 7845 §5.1). */
export function parseOpusHead(bytes: Uint8Array): OpusHead {
  const bad = (why: string) => new ProtocolError(`OpusHead of ${bytes.length} bytes is invalid: ${why}`);
  if (bytes.length < 19) throw bad("must be at least 19 bytes");
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC[i]) throw bad('must start with "OpusHead"');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  if (version >> 4 !== 0) throw bad(`version ${version} has an unsupported major version`);
  const channels = bytes[9];
  if (channels === 0) throw bad("channel count 0 must be at least 1");
  const head: OpusHead = {
    version,
    channels,
    preSkip: v.getUint16(10, true),
    inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true),
    mappingFamily: bytes[18],
  };
  if (head.mappingFamily !== 0) {
    if (bytes.length < 21 + channels) {
      throw bad(`mapping family ${head.mappingFamily} needs ${21 + channels} bytes`);
    }
    head.streamCount = bytes[19];
    head.coupledCount = bytes[20];
    head.channelMapping = bytes.slice(21, 21 + channels);
  } else if (channels > 2) {
    throw bad(`mapping family 0 allows 1 or 2 channels, not ${channels}`);
  }
  return head;
}

/** Builds an identification header; family 0 (mono/stereo) unless a mapping is given. */
export function buildOpusHead(o: Partial<OpusHead> & { channels: number }): Uint8Array {
  const family = o.mappingFamily ?? 0;
  if (family === 0 && (o.channels < 1 || o.channels > 2)) {
    throw new ProtocolError(
      `Opus channel count ${o.channels} is invalid for mapping family 0: must be 1 or 2`,
    );
  }
  const out = new Uint8Array(family === 0 ? 19 : 21 + o.channels);
  const v = new DataView(out.buffer);
  out.set(MAGIC);
  out[8] = o.version ?? 1;
  out[9] = o.channels;
  v.setUint16(10, o.preSkip ?? 3840, true);
  v.setUint32(12, o.inputSampleRate ?? 48000, true);
  v.setInt16(16, o.outputGain ?? 0, true);
  out[18] = family;
  if (family !== 0) {
    if (!o.channelMapping || o.streamCount === undefined || o.coupledCount === undefined) {
      throw new ProtocolError(
        `Opus mapping family ${family} is invalid without stream counts and a channel mapping`,
      );
    }
    out[19] = o.streamCount;
    out[20] = o.coupledCount;
    out.set(o.channelMapping.subarray(0, o.channels), 21);
  }
  return out;
}

// Frame duration in 48 kHz samples by TOC config (RFC 6716 §3.1, Table 2).
function frameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config & 3]; // SILK 10/20/40/60 ms
  if (config < 16) return [480, 960][config & 1]; // hybrid 10/20 ms
  return [120, 240, 480, 960][config & 3]; // CELT 2.5/5/10/20 ms
}

/** Samples (at 48 kHz) in one Opus packet, from its TOC byte and frame count (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length < 1) throw new ProtocolError("Opus packet of 0 bytes is invalid: must have a TOC byte");
  const toc = packet[0];
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code !== 3) frames = 2;
  else {
    if (packet.length < 2) {
      throw new ProtocolError("Opus code-3 packet of 1 byte is invalid: needs a frame count byte");
    }
    frames = packet[1] & 0x3f;
  }
  const samples = frames * frameSamples(toc >> 3);
  if (samples > 5760) {
    throw new ProtocolError(`Opus packet of ${samples} samples is invalid: must be at most 120 ms (5760)`);
  }
  return samples;
}

/** Builds an immutable OpusTrack; Opus always runs a 48 kHz clock. */
export function opusTrack(channels: number, head?: Uint8Array): OpusTrack {
  if (head) channels = parseOpusHead(head).channels;
  return { kind: "audio", codec: "opus", clockRate: 48000, sampleRate: 48000, channels, head };
}
