/**
 * Which outputs offer which streams: config.xml's `has*` switches for RTSP and SRT as one check that
 * the hub's admission and the API's URL lists share. (`hasflv`, `hashls`, `hasdash` turn the HTTP
 * routes off, where a request is refused before admission.)
 */
import type { Config } from "./schema.ts";

/** Undefined when a stream published over `from` is offered to a `player`; else why not. */
export type Offered = (from: string, player: string) => string | undefined;

/** The switches as data (settings are compared as JSON on a reload). */
export interface OutputSwitches {
  /** `<rtmp><hasrtsp>`: RTSP playback at all. */
  rtsp: boolean;
  /** `<rtmp><hassrt>`: SRT playback at all. */
  srt: boolean;
  /** `<rtsp><hasrtmp>`: streams published over RTSP on the other outputs too. */
  rtspElsewhere: boolean;
  /** `<srt><hasrtmp>`: streams published over SRT on the other outputs too. */
  srtElsewhere: boolean;
}

export function outputSwitches(c: Config): OutputSwitches {
  return {
    rtsp: c.rtmp.hasrtsp,
    srt: c.rtmp.hassrt,
    rtspElsewhere: c.rtsp.hasrtmp,
    srtElsewhere: c.srt.hasrtmp,
  };
}

/** The check, or undefined when every switch is on (nothing to check). */
export function offeredBy(sw: OutputSwitches): Offered | undefined {
  if (sw.rtsp && sw.srt && sw.rtspElsewhere && sw.srtElsewhere) return undefined;
  return (from, player) => {
    if (player === "rtsp" && !sw.rtsp) return "<rtmp><hasrtsp> is false";
    if (player === "srt" && !sw.srt) return "<rtmp><hassrt> is false";
    if (from === "rtsp" && player !== "rtsp" && !sw.rtspElsewhere) {
      return "it is published over RTSP and <rtsp><hasrtmp> is false (RTSP players only)";
    }
    if (from === "srt" && player !== "srt" && !sw.srtElsewhere) {
      return "it is published over SRT and <srt><hasrtmp> is false (SRT players only)";
    }
    return undefined;
  };
}
