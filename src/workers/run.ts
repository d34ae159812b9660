/**
 * The entry points of `<workers>` for main.ts: run as the supervisor (N > 1 and not a worker), or
 * as a worker (the supervisor's environment names the slot and the control port).
 */
import type { Config } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import { sharePorts } from "../net/mod.ts";
import { WorkerLink } from "./link.ts";
import {
  freePort,
  Supervisor,
  WORKER_CONTROL_ENV,
  WORKER_INDEX_ENV,
  WORKER_SECRET_ENV,
} from "./supervisor.ts";

/** This process's worker identity from the environment, or undefined when it is not a worker. */
export function workerFromEnv(env: Record<string, string>, log: Logger): WorkerLink | undefined {
  const index = env[WORKER_INDEX_ENV],
    control = env[WORKER_CONTROL_ENV],
    secret = env[WORKER_SECRET_ENV] ?? "";
  if (index === undefined || control === undefined) return undefined;
  const i = Number(index), port = Number(control);
  if (!Number.isInteger(i) || i < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(
      `${WORKER_INDEX_ENV}=${index} / ${WORKER_CONTROL_ENV}=${control} are invalid: must be an index ≥ 0 and a port 1..65535`,
    );
  }
  if (secret.length < 16) {
    throw new RangeError(`${WORKER_SECRET_ENV} is missing or shorter than 16 characters`);
  }
  // Every public listener of a worker shares its port with the siblings.
  sharePorts(true);
  return new WorkerLink({ index: i, controlPort: port, secret }, log);
}

/** Listeners whose configured port 0 must become one port that every worker shares. */
const SHARED_PORTS: [string, (c: Config) => { on: boolean; ip: string; port: number }][] = [
  ["ESTUARY_RTMP_PORT", (c) => ({ on: c.rtmp.enable, ip: c.rtmp.ip, port: c.rtmp.port })],
  ["ESTUARY_RTMP_SPORT", (c) => ({ on: c.rtmp.enable && c.rtmp.ssl, ip: c.rtmp.ip, port: c.rtmp.sport })],
  ["ESTUARY_HTTP_PORT", (c) => ({ on: c.http.enable, ip: c.http.ip, port: c.http.port })],
  ["ESTUARY_HTTP_SPORT", (c) => ({ on: c.http.enable && c.http.ssl, ip: c.http.ip, port: c.http.sport })],
  ["ESTUARY_RTSP_PORT", (c) => ({ on: c.rtsp.enable, ip: c.rtsp.ip, port: c.rtsp.port })],
  ["ESTUARY_RTSP_SPORT", (c) => ({ on: c.rtsp.enable && c.rtsp.ssl, ip: c.rtsp.ip, port: c.rtsp.sport })],
];

/** Environment every worker gets: each configured 0 port resolved once, so the workers share it. */
export function sharedPortEnv(c: Config, pick: (ip: string) => number = (ip) => freePort(ip || "0.0.0.0")) {
  const env: Record<string, string> = {};
  for (const [name, get] of SHARED_PORTS) {
    const l = get(c);
    if (l.on && l.port === 0) env[name] = String(pick(l.ip));
  }
  return env;
}

export interface SupervisorRun {
  supervisor: Supervisor;
  /** Resolves when every worker has stopped (after stop()). */
  stop(): Promise<void>;
}

/** Starts the supervisor and its workers. */
export function runSupervisor(o: {
  config: Config;
  count: number;
  command: { command: string; args: string[] };
  env: Record<string, string>;
  log: Logger;
}): SupervisorRun {
  const env = { ...o.env, ...sharedPortEnv(o.config) };
  const supervisor = new Supervisor({ count: o.count, ...o.command, env, log: o.log });
  supervisor.start();
  return { supervisor, stop: () => supervisor.stop() };
}
