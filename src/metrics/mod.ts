export * from "./registry.ts";
export { checkFamily, MetricsError } from "./names.ts";
export * from "./text_format.ts";
export * from "./statistics.ts";
export * from "./drop_log.ts";
export * from "./hub_collector.ts";
export * from "./by_state.ts";
export * from "./listener.ts";
export { processFamilies } from "./process_collector.ts";
