/**
 * HLS: playlists, segment writers (TS, fMP4) and the live segmenter. Cutting, the timestamp shift,
 * the carried tracks and the waits come from ../segment, shared with DASH and the recorder.
 */
export * from "./playlist.ts";
export * from "./parse.ts";
export * from "./writer.ts";
export * from "./fmp4_writer.ts";
export * from "./segmenter.ts";
