/** ANNOUNCE: the SDP a publisher offers → the media we can receive and the tracks it promises. */
import type { ExpectedTracks } from "../../core/stream.ts";
import { type MediaInfo, mediaInfo, parseSdp, type UnsupportedMedia } from "../../formats/sdp/mod.ts";
import { bodyText, RtspError, type RtspRequest } from "./message.ts";

export interface Announcement {
  /** Every m= line in order (SETUP names them by index or control), usable or not. */
  medias: (MediaInfo | UnsupportedMedia)[];
  /** The kinds of the usable ones: what players' DESCRIBE waits for (stream.tracksReady). */
  kinds: ExpectedTracks;
}

/** Reads an ANNOUNCE body; 415 when it is not SDP or has no media we can receive. */
export function readAnnouncement(req: RtspRequest): Announcement {
  const type = (req.headers.get("content-type") ?? "application/sdp").toLowerCase();
  if (!type.startsWith("application/sdp")) {
    throw new RtspError(415, `RTSP ANNOUNCE body type "${type}" is unsupported: must be application/sdp`);
  }
  const medias = parseSdp(bodyText(req)).media.map(mediaInfo);
  const usable = medias.filter((m): m is MediaInfo => !("unsupported" in m));
  if (usable.length === 0) {
    const why = medias.map((m) => (m as UnsupportedMedia).unsupported).join("; ") || "no media";
    throw new RtspError(415, `RTSP ANNOUNCE has no media we can receive: ${why}`);
  }
  return {
    medias,
    kinds: { video: usable.some((m) => m.kind === "video"), audio: usable.some((m) => m.kind === "audio") },
  };
}
