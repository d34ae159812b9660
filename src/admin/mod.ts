export { type AdminDeps, adminRoutes, type AdminSettings, bootstrapAdmin } from "./routes.ts";
export { type LogFiles, logFiles, logMessages } from "./logs.ts";
export { LoginBackoff } from "./backoff.ts";
export { Tokens } from "./tokens.ts";
export { type Overview, overview } from "./overview.ts";
