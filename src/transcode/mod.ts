/**
 * Audio transcoding, once per stream and only while some output needs it.
 *
 *   const lease = audioAs(stream, "opus", { log });   // starts the transcoder, or shares the running one
 *   lease.value.track;                                  // the derived OpusTrack (after the first frame)
 *   const off = lease.value.onFrame((f) => send(f));    // 20 ms Opus frames, pts at 48 kHz
 *   …
 *   off(); lease.release();                             // the last release stops it
 *
 * The transcoder is a Reader of the source stream and a shared output of it (`stream.outputs`, id
 * `audio:opus:<bitrate>`): every consumer of the same bitrate shares one encode. It never blocks
 * the publisher: its Reader drops whole frames under CPU pressure and counts them (`stats.dropped`).
 * AAC (LC, and the LC core of HE-AAC) → Opus for WebRTC, and Opus → AAC (our AAC-LC encoder) for
 * the outputs that carry AAC only (`aacView`: FLV players, MPEG-TS HLS). A source already in the
 * wanted codec needs no transcoder; other codecs are ignored.
 */
import type { Lease, Stream } from "../core/mod.ts";
import { AacToOpus, type AacToOpusOptions, type TranscodedAudio } from "./aac_to_opus.ts";
import { OpusToAac, type OpusToAacOptions, type TranscodedAac } from "./opus_to_aac.ts";
import { transcoderId } from "./ids.ts";

export {
  AacToOpus,
  type AacToOpusOptions,
  type TranscodedAudio,
  type TranscoderStats,
} from "./aac_to_opus.ts";
export { aacTrackFor, OpusToAac, type OpusToAacOptions, type TranscodedAac } from "./opus_to_aac.ts";
export {
  AAC_VIEW_ID,
  aacOutput,
  type AacOutputSource,
  AacView,
  aacView,
  aacViewId,
  type AacViewOptions,
  type AacViewSettings,
  hasAacView,
  needsAacView,
} from "./aac_view.ts";
export { downmix, mappedChannels } from "./downmix.ts";
export { Resampler } from "./resampler.ts";

export { isTranscoding, transcoderId } from "./ids.ts";
export { type TranscodeCodecs, transcodeCodecs } from "./codecs.ts";

/** A lease on the stream's audio transcoded to `codec`, started on the first lease. */
export function audioAs(stream: Stream, codec: "opus", opts?: AacToOpusOptions): Lease<TranscodedAudio>;
export function audioAs(stream: Stream, codec: "aac", opts?: OpusToAacOptions): Lease<TranscodedAac>;
export function audioAs(
  stream: Stream,
  codec: "opus" | "aac",
  opts: AacToOpusOptions & OpusToAacOptions = {},
): Lease<TranscodedAudio> | Lease<TranscodedAac> {
  const id = transcoderId(codec, opts.bitrate);
  if (codec === "aac") return stream.outputs.acquire<TranscodedAac>(id, () => new OpusToAac(stream, opts));
  return stream.outputs.acquire<TranscodedAudio>(id, () => new AacToOpus(stream, opts));
}
