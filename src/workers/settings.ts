/**
 * `<workers>` → how many worker processes run. Port sharing (SO_REUSEPORT spreading connections) is
 * Linux's; elsewhere the server runs as one process and says so once.
 */
import type { Config } from "../config/mod.ts";
import { DELIVERY_SHARE } from "../core/mod.ts";

export interface WorkersSettings {
  /** Worker processes to run; 1 = the single-process server. */
  count: number;
  /** Why fewer than configured run (logged once), if so. */
  fallback?: string;
}

export interface Platform {
  os: string;
  cores: number;
}

export function workersSettings(c: Config, p: Platform = hostPlatform()): WorkersSettings {
  const wanted = c.workers === 0 ? Math.max(1, p.cores) : c.workers;
  if (wanted > 1 && p.os !== "linux") {
    return {
      count: 1,
      fallback:
        `<workers> ${c.workers} needs Linux's SO_REUSEPORT to spread connections; ${p.os} runs one worker`,
    };
  }
  return { count: wanted };
}

/**
 * The fan-outs' delivery share in this process (FanoutOptions.deliveryShare): DELIVERY_SHARE over the
 * worker count, so that N workers, each with 1/N of the players, batch as one process with all of them
 * would (the same writes per player; measured with `deno task bench --workers`).
 */
export function deliveryShare(c: Config, p: Platform = hostPlatform()): number {
  return DELIVERY_SHARE / workersSettings(c, p).count;
}

function hostPlatform(): Platform {
  return { os: Deno.build.os, cores: navigator.hardwareConcurrency ?? 1 };
}
