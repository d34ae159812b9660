/** Fuzz targets of src/codecs: the AAC-LC decoder and the Opus decoder wrapper. */
import { ProtocolError } from "../core/errors.ts";
import { splitAdts } from "../codecs/adts.ts";
import { AacDecoder } from "../codecs/aac/mod.ts";
import { OpusDecoder, OpusEncoder } from "../codecs/opus/mod.ts";
import { framed, type FuzzTarget, unframe } from "./target.ts";
import { testdata } from "./seeds.ts";

/** Input: the AudioSpecificConfig, then up to four raw access units, each framed. */
const aacDecoder: FuzzTarget = {
  name: "aac_decoder",
  accepted: [ProtocolError],
  seeds: () =>
    ["aac_44100_stereo", "aac_48000_mono"].flatMap((n) => {
      const { config, frames } = splitAdts(testdata(`codecs/testdata/${n}.aac`));
      return [framed([config, ...frames.slice(0, 3)]), framed([config, ...frames.slice(10, 12)])];
    }),
  run: (b) => {
    const [asc, ...aus] = unframe(b);
    if (asc === undefined) return;
    const dec = new AacDecoder(asc);
    for (const au of aus.slice(0, 4)) {
      try {
        dec.decode(au);
      } catch (e) {
        // A refused frame must leave the decoder usable for the next one.
        if (!(e instanceof ProtocolError)) throw e;
      }
    }
  },
};

/** Packets of our own encoder (libopus is deterministic): a tone, silence and noise, mono and stereo. */
function opusSeeds(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (const channels of [1, 2] as const) {
    const enc = new OpusEncoder({ channels, bitrate: channels * 48000 });
    const packets: Uint8Array[] = [];
    let seed = 7;
    for (let f = 0; f < 6; f++) {
      const planes = Array.from({ length: channels }, () =>
        new Float32Array(960).map((_, i) => {
          seed = (Math.imul(seed, 1103515245) + 12345) | 0;
          return f < 2 ? 0.4 * Math.sin((f * 960 + i) * 0.06) : f < 4 ? 0 : (seed >> 8) / 2 ** 24;
        }));
      packets.push(enc.encode(planes));
    }
    enc.close();
    seeds.push(framed([new Uint8Array([channels]), ...packets]));
  }
  return seeds;
}

/** Input: one byte (1 = mono, else stereo), then up to six framed Opus packets. */
const opusDecoder: FuzzTarget = {
  name: "opus_decoder",
  accepted: [ProtocolError],
  seeds: opusSeeds,
  run: (b) => {
    const [head, ...packets] = unframe(b);
    const dec = new OpusDecoder({ channels: head?.[0] === 1 ? 1 : 2 });
    try {
      for (const p of packets.slice(0, 6)) {
        try {
          dec.decode(p);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }
    } finally {
      dec.close();
    }
  },
};

export const CODEC_TARGETS: readonly FuzzTarget[] = [aacDecoder, opusDecoder];
