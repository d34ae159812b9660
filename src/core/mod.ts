export * from "./track.ts";
export * from "./frame.ts";
export * from "./errors.ts";
