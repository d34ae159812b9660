/**
 * The static pulls service module: policy.xml `<pulls>` + `<cluster><reconnect>`, `<cluster><edgeidle>`
 * (also the idle time of on-demand pulls) and `<rtmp><fwdtimeout>` → StaticPulls. Off without pulls.
 */
import { type Config, emptyPolicy, type Policy } from "../config/mod.ts";
import { defineService, withMetrics } from "../service.ts";
import { pullMetrics } from "./metrics.ts";
import { type PullsOptions, StaticPulls } from "./pulls.ts";

export type PullsSettings = PullsOptions;

export function pullsSettings(
  c: Config,
  _root: string,
  policy: Policy = emptyPolicy(),
): PullsSettings | null {
  if (policy.pulls.length === 0) return null;
  return {
    pulls: policy.pulls,
    reconnectMs: c.cluster.reconnect * 1000,
    idleMs: c.cluster.edgeidle * 1000,
    timeoutMs: c.rtmp.fwdtimeout,
  };
}

export const pullsService = defineService<PullsSettings>({
  name: "pulls",
  listens: [],
  settings: pullsSettings,
  create(s, ctx) {
    const pulls = new StaticPulls(ctx.hub, ctx.log, s);
    let remove: (() => void) | undefined;
    return withMetrics(ctx, "pulls", () => pullMetrics(pulls.stats()), {
      start() {
        remove = ctx.hub.onMissing((req) => pulls.missing(req));
        pulls.start();
        return Promise.resolve();
      },
      close() {
        remove?.();
        pulls.close();
        return Promise.resolve();
      },
      update(next) {
        pulls.configure(next);
        return Promise.resolve();
      },
      listeners: () => ({}),
      stats: () => ({ pulls: pulls.stats() }),
    });
  },
});
