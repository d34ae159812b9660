/** An SRT publisher: the delivered TS bytes are demuxed into the hub's Stream. */
import type { Stream } from "../../core/mod.ts";
import { TsDemuxer } from "../../formats/mpegts/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { SrtConnection } from "./connection.ts";
import { PmtScan } from "./pmt_scan.ts";

/** Feeds `conn`'s payloads into `stream`; each side's end ends the other. */
export function attachPublisher(conn: SrtConnection, stream: Stream, log: Logger): TsDemuxer {
  const demux = new TsDemuxer({
    onTrack: (t) => {
      log.info("srt track", { codec: t.codec, kind: t.kind });
      stream.setTrack(t);
    },
    onFrame: (f) => stream.write(f),
  });
  const scan = new PmtScan();
  conn.onData = (payload) => {
    try {
      if (!scan.done) {
        const kinds = scan.push(payload);
        if (kinds) stream.expectTracks(kinds);
      }
      demux.push(payload);
    } catch (err) {
      conn.close(`bad MPEG-TS from publisher: ${(err as Error).message}`);
    }
  };
  conn.closed.then((reason) => {
    try {
      demux.flush();
    } catch { /* the tail of a broken stream */ }
    stream.end(reason);
  });
  stream.ended.then((reason) => conn.close(reason));
  return demux;
}
