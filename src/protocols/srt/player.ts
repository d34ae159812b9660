/**
 * An SRT player: subscribed to the stream's shared MPEG-TS fan-out (mux once, share the bytes);
 * each player's connection cuts the shared TS into 7 × 188-byte payloads. Of an Opus source it plays
 * the AAC view (the audio transcoded once per stream, as TS players expect AAC), unless transcoding
 * is off.
 */
import { Fanout, type FanoutOptions, type Stream } from "../../core/mod.ts";
import { TsFanoutMuxer } from "../../formats/mpegts/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { SrtConnection } from "./connection.ts";
import { aacOutput, type AacViewSettings } from "../../transcode/mod.ts";

export const SRT_FANOUT_ID = "srt:mpegts";

/** Subscribes `conn` to the stream's shared TS fan-out until either side leaves. */
export function attachPlayer(
  conn: SrtConnection,
  source: Stream,
  log: Logger,
  opts: FanoutOptions,
  aac: AacViewSettings = {},
): void {
  const release = source.attachPlayer("srt");
  const { stream, view } = aacOutput(source, aac, log);
  const lease = stream.outputs.acquire(SRT_FANOUT_ID, () => {
    // One log line per stream, not per frame.
    const onLeftOut = (codec: string) =>
      log.info("srt output leaves out a track MPEG-TS cannot carry: video only", { codec });
    return new Fanout(stream, new TsFanoutMuxer(stream, { onLeftOut }), opts);
  });
  const sub = lease.value.subscribe({
    write: (bytes) => conn.write(bytes),
    close: (reason) => conn.close(reason),
  });
  conn.closed.then(() => {
    sub.close("player left");
    release();
    lease.release(); // the last SRT player stops the TS muxing
    view?.release();
  });
}
