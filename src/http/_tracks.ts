/** The stream's tracks that HLS/DASH carry; logs once per output why others are left out. */
import type { Stream } from "../core/mod.ts";
import { carriedTracks, HLS_AUDIO_CODECS, type OutputTracks } from "../formats/hls/mod.ts";
import type { Logger } from "../log/mod.ts";

export function outputTracks(stream: Stream, log?: Logger): OutputTracks {
  const { tracks, left } = carriedTracks(stream.videoTrack, stream.audioTrack);
  for (const t of left) {
    log?.info(`${t.kind} left out`, {
      key: stream.key,
      codec: t.codec,
      why: t.kind === "audio"
        ? `HLS/DASH carry ${HLS_AUDIO_CODECS.join(", ")}: this stream goes out video only`
        : "HLS/DASH cannot carry this video codec",
    });
  }
  return tracks;
}
