/** What `codecs.ts` loads on first use (only through it: a static import here would load it at start). */
export { AacDecoder, AacEncoder } from "../codecs/aac/mod.ts";
export { OpusDecoder, OpusEncoder } from "../codecs/opus/mod.ts";
