/**
 * Segmenting shared by every segmented output (live HLS, live DASH, recordings): where segments and
 * parts are cut, the timestamp shift onto the output's timeline, which tracks an output carries,
 * and the waits for a segment or part that does not exist yet.
 */
export * from "./cutter.ts";
export * from "./timestamp_shift.ts";
export * from "./output_tracks.ts";
export * from "./waiters.ts";
