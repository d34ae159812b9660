/** DESCRIBE: the SDP a player gets for a live stream, once its tracks are known. */
import { type Stream, TRACKS_READY_WAIT_MS } from "../../core/stream.ts";
import type { Track } from "../../core/track.ts";
import { buildSdp, defaultPayloadType, describeTrack, type SdpMedia } from "../../formats/sdp/mod.ts";
import { canPacketize } from "../../formats/rtp/packetizer.ts";
import type { PayloadTypes } from "./context.ts";
import type { DescribedTrack } from "./play_session.ts";

/**
 * Waits until the stream's announced tracks are known (`tracksReady`, itself bounded by the
 * stream's wait for a track that never comes). `playWaitMs` more covers a publisher that was
 * admitted but has sent nothing yet; the player leaving ends the wait too.
 */
export async function waitForTracks(stream: Stream, playWaitMs: number, signal: AbortSignal): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, playWaitMs + TRACKS_READY_WAIT_MS);
    onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([stream.tracksReady, bound]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort!);
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
