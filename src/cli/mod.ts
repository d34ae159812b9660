/** The program's life cycle around the server: config check, live reload, signals, graceful stop. */
export { checkConfig, type CheckResult } from "./check_config.ts";
export { reloader, reloadOnChange, watchedFiles } from "./reload.ts";
export { onSignals, type SignalPlan, signalsFor } from "./signals.ts";
export { shutdownHandler, STOP_DEADLINE_MS } from "./shutdown.ts";
export { BUNDLE_ENTRY, fileUrlToPath, programDir, projectUrl } from "./program_dir.ts";
