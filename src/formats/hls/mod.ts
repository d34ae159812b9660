/** HLS: playlists, the segment cutter and the live segmenter that keeps segments in memory. */
export * from "./playlist.ts";
export * from "./parse.ts";
export * from "./cutter.ts";
export * from "./writer.ts";
export * from "./segmenter.ts";
export * from "./tracks.ts";
