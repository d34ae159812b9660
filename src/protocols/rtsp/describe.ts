/** DESCRIBE: the SDP a player gets for a live stream, once its tracks are known. */
import type { Stream } from "../../core/stream.ts";
import type { Track } from "../../core/track.ts";
import { buildSdp, defaultPayloadType, describeTrack, type SdpMedia } from "../../formats/sdp/mod.ts";
import { canPacketize } from "../../formats/rtp/packetizer.ts";
import type { PayloadTypes } from "./context.ts";
import type { DescribedTrack } from "./play_session.ts";

/** A stream younger than this may still declare its second track; DESCRIBE waits for it. */
const YOUNG_MS = 2000;

/** Waits (bounded) until the stream has a track, and both kinds if it just started. */
export async function waitForTracks(stream: Stream, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  const complete = () =>
    stream.isEnded || (stream.videoTrack !== undefined && stream.audioTrack !== undefined) ||
    (stream.tracks.length > 0 && Date.now() - stream.startedAt > YOUNG_MS);
  while (!complete() && Date.now() < end) {
    await new Promise<void>((resolve) => {
      const off = stream.onTrack(() => done());
      const timer = setTimeout(() => done(), 100);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}

export function payloadTypeFor(t: Track, pts: PayloadTypes): number {
  switch (t.codec) {
    case "h264":
      return pts.h264;
    case "h265":
      return pts.h265;
    case "aac":
      return pts.aac;
    case "opus":
      return pts.opus;
    default:
      return defaultPayloadType(t.codec);
  }
}

/** The tracks we can send, in SDP order (video first), with controls "trackID=N". */
export function describedTracks(stream: Stream, pts: PayloadTypes): DescribedTrack[] {
  const out: DescribedTrack[] = [];
  for (const track of stream.tracks) {
    if (!canPacketize(track)) continue;
    out.push({ track, payloadType: payloadTypeFor(track, pts), control: `trackID=${out.length}` });
  }
  return out;
}

export function streamSdp(o: { stream: Stream; tracks: DescribedTrack[]; host: string }): string {
  const ip6 = o.host.includes(":");
  const addr = `IN ${ip6 ? "IP6" : "IP4"} ${o.host}`;
  const media: SdpMedia[] = [];
  for (const t of o.tracks) {
    const m = describeTrack(t.track, {
      payloadType: t.payloadType,
      control: t.control,
      direction: "sendonly",
    });
    if (m) media.push(m);
  }
  return buildSdp({
    version: 0,
    origin: `- ${o.stream.startedAt} 1 ${addr}`,
    sessionName: o.stream.key,
    connection: addr,
    timing: "0 0",
    attributes: [["tool", "Estuary"], ["type", "broadcast"], ["control", "*"], ["range", "npt=0-"]],
    media,
  });
}
