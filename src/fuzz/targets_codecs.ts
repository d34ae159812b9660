/** Fuzz targets of src/codecs: the AAC-LC decoder. */
import { ProtocolError } from "../core/errors.ts";
import { splitAdts } from "../codecs/adts.ts";
import { AacDecoder } from "../codecs/aac/mod.ts";
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

export const CODEC_TARGETS: readonly FuzzTarget[] = [aacDecoder];
