export * from "./tools.ts";
export * from "./media.ts";
export * from "./hub.ts";
