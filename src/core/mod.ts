export * from "./track.ts";
export * from "./frame.ts";
export * from "./errors.ts";
export * from "./reader.ts";
export * from "./stream.ts";
export * from "./hub.ts";
export * from "./names.ts";
export * from "./fanout.ts";
