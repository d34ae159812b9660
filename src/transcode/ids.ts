/** The shared-output ids of a stream's audio transcoders (`audio:<codec>:<bitrate>`). */
import type { Stream } from "../core/mod.ts";

/** The shared-output id of a stream's transcoder to `codec` at `bitrate` (bit/s; undefined: automatic). */
export function transcoderId(codec: "opus" | "aac", bitrate: number | undefined): string {
  return `audio:${codec}:${bitrate ?? "default"}`;
}

/** True when some transcoder of the stream to `codec` runs (any bitrate). */
export function isTranscoding(stream: Stream, codec: "opus" | "aac"): boolean {
  return stream.outputs.ids().some((id) => id.startsWith(`audio:${codec}:`));
}
