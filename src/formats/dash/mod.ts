/** DASH MPD writing. */
export * from "./mpd.ts";
export * from "./segmenter.ts";
export * from "./fragments.ts";
