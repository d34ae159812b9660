/**
 * The cluster service module: policy.xml + `<cluster><reconnect>`, `<rtmp><fwdtimeout>` and
 * `<ssl><clientca|clientcert|clientkey>` → forward settings. Off (null) while the policy has no rule;
 * a reload with a changed policy updates the running forwards in place.
 */
import { type Config, emptyPolicy, type Policy, resolvePath } from "../config/mod.ts";
import { ConfigError } from "../core/mod.ts";
import { defineService, withMetrics } from "../service.ts";
import { Forwards, type ForwardsOptions } from "./forwards.ts";
import { forwardMetrics } from "./metrics.ts";

export type ClusterSettings = ForwardsOptions;

export function clusterSettings(
  c: Config,
  root: string,
  policy: Policy = emptyPolicy(),
): ClusterSettings | null {
  if (policy.vhosts.length === 0 && policy.urls.length === 0) return null;
  const read = (element: string) => {
    const p = (c.ssl as Record<string, string>)[element];
    if (!p) return undefined;
    const file = resolvePath(root, p);
    try {
      return Deno.readTextFileSync(file);
    } catch (err) {
      throw new ConfigError(`<ssl><${element}> "${file}" cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const ca = read("clientca"), cert = read("clientcert"), key = read("clientkey");
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      `<ssl><${cert ? "clientkey" : "clientcert"}> is empty while <ssl><${
        cert ? "clientcert" : "clientkey"
      }> is set: a client certificate needs both`,
    );
  }
  return {
    policy,
    reconnectMs: c.cluster.reconnect * 1000,
    timeoutMs: c.rtmp.fwdtimeout,
    tls: { ...(ca ? { caCerts: [ca] } : {}), ...(cert && key ? { cert, key } : {}) },
    ownHost: ownHost(c),
  };
}

/** This server's RTMP host name: its public address (`<cluster><rtmp>`, `<nat><rtmp>`), its bound one, else localhost. */
function ownHost(c: Config): string {
  const host = (addr: string) => addr.replace(/^rtmps?:\/\//i, "").replace(/(:\d+)?\/?$/, "");
  for (const a of [c.cluster.rtmp, c.nat.rtmp]) if (a) return host(a);
  const ip = c.rtmp.ip;
  return ip && ip !== "0.0.0.0" && ip !== "::" ? ip : "localhost";
}

export const clusterService = defineService<ClusterSettings>({
  name: "cluster",
  listens: [],
  settings: clusterSettings,
  create(s, ctx) {
    const forwards = new Forwards({ hub: ctx.hub, log: ctx.log, opts: s });
    return withMetrics(ctx, "cluster", () => forwardMetrics(forwards.stats()), {
      start: () => Promise.resolve(forwards.start()),
      close: () => Promise.resolve(forwards.close()),
      update: (next) => Promise.resolve(forwards.update(next)),
      listeners: () => ({}),
      stats: () => forwards.stats(),
    });
  },
});
