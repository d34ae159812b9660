/** HLS: playlists, the segment cutter, segment writers (TS, fMP4) and the live segmenter. */
export * from "./playlist.ts";
export * from "./parse.ts";
export * from "./cutter.ts";
export * from "./writer.ts";
export * from "./fmp4_writer.ts";
export * from "./segmenter.ts";
export * from "./tracks.ts";
