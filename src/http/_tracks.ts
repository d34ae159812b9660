/** Which of a stream's tracks HLS and DASH carry (smart_rtmpd's matrix: G.711 streams go out video only). */
import type { Stream } from "../core/mod.ts";
import type { OutputTracks } from "../formats/hls/mod.ts";
import type { Logger } from "../log/mod.ts";

const VIDEO = ["h264", "h265", "av1"];
const AUDIO = ["aac", "opus", "mp3"];

/** The carried tracks; with `log`, says once why a track is left out. */
export function outputTracks(stream: Stream, log?: Logger): OutputTracks {
  const v = stream.videoTrack, a = stream.audioTrack;
  const video = v && VIDEO.includes(v.codec) ? v : undefined;
  const audio = a && AUDIO.includes(a.codec) ? a : undefined;
  if (log && v && !video) {
    log.info("video left out", {
      key: stream.key,
      codec: v.codec,
      why: `HLS/DASH carry ${VIDEO.join(", ")}`,
    });
  }
  if (log && a && !audio) {
    log.info("audio left out", {
      key: stream.key,
      codec: a.codec,
      why: `HLS/DASH carry ${AUDIO.join(", ")}; this stream goes out video only`,
    });
  }
  return { video, audio };
}
