/**
 * The hooks service module: `<hooks><url>` (Estuary) → JSON POSTs of server events to the operator's
 * URL, as SRS's http_hooks, nginx-rtmp's on_publish_done/on_record_done and MediaMTX's runOn* do:
 *   - `publish` and `unpublish` (events "publish"): a stream started and ended, with its protocol,
 *     remote and query; at the end its duration, bytes and frames and why it ended;
 *   - `play` and `stop` (events "play", off by default: one per player): a player on a connection of
 *     its own (not HLS/DASH, whose every poll is an admission) was admitted, and its session ended;
 *   - `record_done` (events "record"): a recording file was closed, its path and /rec URL.
 * Notifications only: the stream does not wait for them (the auth callback is the gate). Off (null)
 * without a URL. A sibling worker's relay copy raises nothing: the publisher's worker reports it.
 */
import type { Config } from "../config/mod.ts";
import { splitList } from "../config/mod.ts";
import { RELAY_PLAYER, type Stream } from "../core/mod.ts";
import { type MetricFamily } from "../metrics/mod.ts";
import { defineService, withMetrics } from "../service.ts";
import { HookSender, shown } from "./sender.ts";

export interface HooksSettings {
  url: string;
  timeoutMs: number;
  /** Which kinds: "publish" (publish and unpublish), "play" (play and stop), "record" (record_done). */
  events: string[];
}

export function hooksSettings(c: Config): HooksSettings | null {
  if (c.hooks.url === "") return null;
  return { url: c.hooks.url, timeoutMs: c.hooks.timeout, events: splitList(c.hooks.events) };
}

const streamFields = (s: Stream) => ({
  key: s.key,
  app: s.app,
  name: s.name,
  vhost: s.vhost,
  protocol: s.info.from,
  remote: s.info.remote ?? "",
  query: s.info.query ?? "",
});

/** The calls by event and result, for /metrics. */
export function hookFamilies(counts: HookSender["counts"]): MetricFamily[] {
  const samples: { labels: Record<string, string>; value: number }[] = [];
  for (const [event, c] of counts) {
    for (const result of ["ok", "failed", "dropped"] as const) {
      samples.push({ labels: { event, result }, value: c[result] });
    }
  }
  return [{
    name: "estuary_hook_calls_total",
    help:
      "Hook events by event and result: ok (answered 2xx), failed (other answer, error, deadline), dropped (queue full).",
    type: "counter",
    samples,
  }];
}

export const hooksService = defineService<HooksSettings>({
  name: "hooks",
  listens: [],
  settings: hooksSettings,
  create(s, ctx) {
    let cur = s;
    const sender = new HookSender({
      url: s.url,
      timeoutMs: s.timeoutMs,
      log: ctx.log.child({ svc: "hooks" }),
    });
    const on = (kind: string) => cur.events.includes(kind);
    const declare = (h: HooksSettings) => {
      if (h.events.includes("publish")) { for (const e of ["publish", "unpublish"]) sender.declare(e); }
      if (h.events.includes("play")) { for (const e of ["play", "stop"]) sender.declare(e); }
      if (h.events.includes("record")) sender.declare("record_done");
    };
    declare(s);
    const off: (() => void)[] = [];
    return withMetrics(ctx, "hooks", () => hookFamilies(sender.counts), {
      start() {
        off.push(
          ctx.hub.onPublish((st) => {
            if (st.info.relay || !on("publish")) return;
            sender.send({ event: "publish", ...streamFields(st) });
          }),
          ctx.hub.onUnpublish((st) => {
            if (st.info.relay || !on("publish")) return;
            sender.send({
              event: "unpublish",
              ...streamFields(st),
              reason: st.endReason,
              duration_s: Math.round((Date.now() - st.startedAt) / 100) / 10,
              bytes: st.stats.bytesIn,
              frames: st.stats.framesIn,
            });
          }),
          ctx.hub.events.on((e) => {
            if (e.type === "play") {
              if (!on("play")) return;
              const [app, ...name] = e.key.split("/");
              sender.send({
                event: "play",
                key: e.key,
                app,
                name: name.join("/"),
                protocol: e.protocol,
                ext: e.ext,
                remote: e.remote,
                query: e.query,
              });
              return;
            }
            if (e.type !== "record_done" || !on("record")) return;
            const [app, ...name] = e.key.split("/");
            sender.send({
              event: "record_done",
              key: e.key,
              app,
              name: name.join("/"),
              file: e.file,
              url: e.url,
              duration_s: e.durationS,
              segments: e.segments,
            });
          }),
          ctx.hub.sessions.onEnd((info) => {
            if (!on("play") || info.role !== "player" || !info.stream || info.protocol === RELAY_PLAYER) {
              return;
            }
            const [app, ...name] = info.stream.split("/");
            sender.send({
              event: "stop",
              key: info.stream,
              app,
              name: name.join("/"),
              protocol: info.protocol,
              remote: info.remote,
              duration_s: Math.round((Date.now() - info.startedAt) / 100) / 10,
              bytes: info.bytesOut,
            });
          }),
        );
        return Promise.resolve();
      },
      async close() {
        for (const f of off.splice(0)) f();
        await sender.close();
      },
      update(next) {
        cur = next;
        sender.configure(next.url, next.timeoutMs);
        declare(next);
        return Promise.resolve();
      },
      listeners: () => ({}),
      stats: () => ({ url: shown(cur.url), calls: Object.fromEntries(sender.counts) }),
    });
  },
});
