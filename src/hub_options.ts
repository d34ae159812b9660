/** config.xml → the hub's admission options: the one mapping, used by the server and the test fixture. */
import { type Config, offeredBy, outputSwitches } from "./config/mod.ts";
import type { HubOptions } from "./core/mod.ts";
import type { Logger } from "./log/mod.ts";
import { createAuthorizer } from "./auth/mod.ts";

/** Largest GOP cache per stream, in bytes (`gopquesize` caps it in frames). */
export const GOP_CACHE_MAX_BYTES = 64 << 20;

export function hubOptions(config: Config, log?: Logger): HubOptions {
  return {
    liveApps: config.rtmp.liveApps,
    recApps: config.rtmp.recApps,
    gop: { enabled: config.rtmp.gopenable, maxFrames: config.rtmp.gopquesize, maxBytes: GOP_CACHE_MAX_BYTES },
    maxIdleMs: config.rtmp.maxidle * 1000,
    log,
    // The auth callback sits in admission, so every protocol gets it.
    authorize: createAuthorizer({
      url: config.authurl.url,
      timeoutMs: config.authurl.timeout,
      cacheMs: config.authurl.cache * 1000,
      log,
    }),
    offered: offeredBy(outputSwitches(config)),
  };
}
