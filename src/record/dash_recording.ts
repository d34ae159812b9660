/** DASH recording (recmode 0): fMP4 per track and a static MPD. */
import type { Frame } from "../core/frame.ts";
import type { OutputTracks } from "../formats/hls/mod.ts";
import type { RecordedFile, RecordingFormat } from "./formats.ts";

export class DashRecording implements RecordingFormat {
  readonly ext = "mpd" as const;
  constructor(_opts: { dir: string; tracks: OutputTracks; startedAt: number }) {
    throw new Error("DASH recording is not available yet");
  }
  get duration(): number {
    return 0;
  }
  get segments(): number {
    return 0;
  }
  start(): RecordedFile[] {
    return [];
  }
  segment(_frames: readonly Frame[], _duration: number): RecordedFile[] {
    return [];
  }
  manifest(): string {
    return "";
  }
}
