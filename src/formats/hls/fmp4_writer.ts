/** fMP4 segments for HLS (one moof+mdat per part, both tracks muxed). */
import type { OutputTracks, SegmentWriter } from "./writer.ts";

export function createFmp4Writer(_tracks: OutputTracks): SegmentWriter {
  throw new Error("fMP4 segments are not available yet");
}
