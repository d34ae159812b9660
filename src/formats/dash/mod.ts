/** DASH: the MPD writer, per-track fMP4 fragments and the live segmenter. */
export * from "./mpd.ts";
export * from "./segmenter.ts";
export * from "./fragments.ts";
