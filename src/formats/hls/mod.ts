/** HLS playlists (and the live segmenter that feeds them). */
export * from "./playlist.ts";
export * from "./parse.ts";
