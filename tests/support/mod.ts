export * from "./tools.ts";
export * from "./media.ts";
export * from "./hub.ts";
export * from "./server.ts";
export * from "./test_server.ts";
export * from "./flv.ts";
export * from "./http_client.ts";
export * from "./browser.ts";
