export * from "./tools.ts";
export * from "./media.ts";
export * from "./hub.ts";
export * from "./server.ts";
