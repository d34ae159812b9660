/**
 * `<workers>`: N worker processes sharing the public ports (SO_REUSEPORT), a supervisor that runs and
 * restarts them and keeps the registry of who publishes what, and the relay between workers.
 */
export { type Claim, type WorkerEntry, WorkerRegistry } from "./registry.ts";
export { ControlChannel, LOCAL_HEADER, type WorkerView } from "./control.ts";
export { type WorkerIdentity, WorkerLink, type WorkerSelf } from "./link.ts";
export {
  freePort,
  grantedFlags,
  ownCommandLine,
  Supervisor,
  type SupervisorOptions,
  WORKER_CONTROL_ENV,
  WORKER_INDEX_ENV,
  workerCommand,
} from "./supervisor.ts";
export { type WorkersSettings, workersSettings } from "./settings.ts";
export { type WorkerServiceSettings, workerServiceSettings, workersService } from "./service.ts";
export {
  mergeLive,
  mergeMetricsText,
  mergeStatistics,
  mergeStreams,
  type WorkerAnswer,
} from "./aggregate.ts";
export { runSupervisor, sharedPortEnv, type SupervisorRun, workerFromEnv } from "./run.ts";
