/** FLV sources for tests: a fixture file, and a real-time replay of a file into a hub. */
import type { Hub, Stream } from "../../src/core/mod.ts";
import { metaDataOf, parseScriptData } from "../../src/formats/amf/mod.ts";
import { FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvDemuxer, readFlvTags } from "../../src/formats/flv/mod.ts";

/** A 2 s H.264 + AAC 320x180 FLV in the repository (no encoding needed). */
export const FIXTURE_FLV = new URL("../../src/http/testdata/h264_aac_320x180_2s.flv", import.meta.url);

/**
 * Publishes an FLV file into the hub at real time (a stand-in for an RTMP publisher that needs no
 * encoder): script tags become metadata, audio/video tags frames through FlvDemuxer. Admission
 * (app rules, the auth callback) is the hub's, as for any publisher.
 */
export async function replayFlv(
  hub: Hub,
  flv: Uint8Array,
  opts: { app?: string; name: string; query?: string },
): Promise<{ stream: Stream; done: Promise<void>; stop(): void }> {
  const stream = await hub.publish({
    role: "publisher",
    protocol: "rtmp",
    app: opts.app ?? "live",
    name: opts.name,
    vhost: "127.0.0.1",
    query: opts.query ?? "",
  });
  let stopped = false;
  const done = (async () => {
    const { tags } = readFlvTags(flv);
    const demux = new FlvDemuxer();
    const start = Date.now();
    for (const t of tags) {
      if (stopped || stream.isEnded) break;
      const wait = start + t.timestamp - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (t.type === FLV_TAG_SCRIPT) {
        stream.metadata = metaDataOf(parseScriptData(t.body));
        continue;
      }
      const f = t.type === FLV_TAG_VIDEO
        ? demux.video(t.body, t.timestamp)
        : demux.audio(t.body, t.timestamp);
      const track = t.type === FLV_TAG_VIDEO ? demux.videoTrack : demux.audioTrack;
      if (track) stream.setTrack(track);
      if (f) stream.write(f);
    }
    stream.end("replay finished");
  })();
  return { stream, done, stop: () => stopped = true };
}
