export { consoleSink, createLogger, formatFields, MemorySink, nullLogger } from "./logger.ts";
export type { Fields, Level, Logger, LoggerOptions, LogSink } from "./logger.ts";
export { DailyFileSink, localDay } from "./daily_file.ts";
