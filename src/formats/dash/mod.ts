/** DASH MPD writing. */
export * from "./mpd.ts";
