/**
 * The edge service module: `<cluster><origin>` (a comma list of origins) and `<cluster><edgeidle>` →
 * an EdgePuller hooked into the hub for players of streams that are not here. Off without origins.
 */
import { type Config, splitList } from "../config/mod.ts";
import { defineService } from "../service.ts";
import { type EdgeOptions, EdgePuller } from "./edge.ts";

export type EdgeSettings = EdgeOptions;

export function edgeSettings(c: Config): EdgeSettings | null {
  const origins = splitList(c.cluster.origin);
  if (origins.length === 0) return null;
  const timeoutMs = c.rtmp.fwdtimeout;
  return {
    origins,
    idleMs: c.cluster.edgeidle * 1000,
    timeoutMs,
    // Every origin may be tried in turn before the player's wait ends.
    waitMs: timeoutMs * (origins.length + 1),
  };
}

export const edgeService = defineService<EdgeSettings>({
  name: "edge",
  listens: [],
  settings: edgeSettings,
  create(s, ctx) {
    const puller = new EdgePuller(ctx.hub, ctx.log, s);
    let remove: (() => void) | undefined;
    return {
      start() {
        remove = ctx.hub.onMissing((req) => puller.missing(req));
        return Promise.resolve();
      },
      async close() {
        remove?.();
        await puller.close();
      },
      update(next) {
        puller.configure(next);
        return Promise.resolve();
      },
      listeners: () => ({}),
      stats: () => ({ pulls: puller.stats() }),
    };
  },
});
