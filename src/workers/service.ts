/**
 * The workers service: in a worker process (`<workers>` > 1) it opens the private relay listener
 * (RTMP on 127.0.0.1, any port), joins the supervisor, claims the keys published here, refuses a
 * publish of a key a sibling publishes (busy), and plays a sibling's stream for players here by
 * pulling it once over the sibling's relay port (the edge pull with the sibling as origin): every
 * player of it on this worker shares that pull, muxed once per worker. Off in a single process.
 */
import type { Config } from "../config/mod.ts";
import { RELAY_PLAYER, StreamBusyError } from "../core/mod.ts";
import { type EdgeOptions, EdgePuller } from "../cluster/edge.ts";
import { createRtmpServer, RELAY_PROPERTY } from "../protocols/rtmp/mod.ts";
import { defineService } from "../service.ts";

export interface WorkerServiceSettings {
  /** A relay with no player here for this long stops (`<cluster><edgeidle>`). */
  idleMs: number;
  /** Connect + first frames from the sibling within this (`<rtmp><fwdtimeout>`). */
  timeoutMs: number;
  /** The relay listener's chunk size (`<rtmp><chunksize>`, at most 64 KB). */
  chunkSize: number;
}

/**
 * The relay's settings. Whether this process is a worker is decided once at start (the supervisor's
 * environment, ctx.worker), not by a reload: a changed `<workers>` applies at the next start, so the
 * count is not part of these settings and a running worker keeps relaying.
 */
export function workerServiceSettings(c: Config): WorkerServiceSettings {
  return {
    idleMs: c.cluster.edgeidle * 1000,
    timeoutMs: c.rtmp.fwdtimeout,
    chunkSize: Math.min(c.rtmp.chunksize, 65536),
  };
}

export const workersService = defineService<WorkerServiceSettings>({
  name: "workers",
  listens: [],
  settings: workerServiceSettings,
  create(s, ctx) {
    const link = ctx.worker;
    // A single process (or a server built in-process by tests): nothing to relay.
    if (!link) {
      return {
        start: () => Promise.resolve(),
        close: () => Promise.resolve(),
        listeners: () => ({}),
        stats: () => ({}),
      };
    }
    const hub = ctx.hub;
    const log = ctx.log.child({ svc: "workers" });
    link.bind(log, () => {
      const local = hub.streams().filter((st) => !st.info.relay);
      let players = 0;
      for (const st of hub.streams()) {
        for (const [proto, n] of st.players) if (proto !== RELAY_PLAYER) players += n;
      }
      return { index: link.index, pid: Deno.pid, players, publishing: local.map((st) => st.key) };
    });
    const relay = createRtmpServer({
      hub,
      log,
      hostname: "127.0.0.1",
      port: 0,
      chunkSize: s.chunkSize,
      notFound: "reject",
      relaySecret: link.secret,
    });
    const relayOptions = (o: WorkerServiceSettings): EdgeOptions => ({
      origins: [],
      idleMs: o.idleMs,
      timeoutMs: o.timeoutMs,
      waitMs: o.timeoutMs * 2,
      originsFor: (req) => {
        const c = link.sibling(`${req.app}/${req.name}`);
        return c ? [`127.0.0.1:${c.relayPort}`] : [];
      },
      connectProperties: { [RELAY_PROPERTY]: link.secret },
      // Published here as it is on the sibling, so this worker offers it as that one does (has* switches).
      fromFor: (req) => link.sibling(`${req.app}/${req.name}`)?.from,
      relay: true,
    });
    const puller = new EdgePuller(hub, log, relayOptions(s));
    const off: (() => void)[] = [];
    return {
      async start() {
        await relay.start();
        off.push(
          hub.addPublishCheck((req) => {
            const key = `${req.app}/${req.name}`;
            if (!req.relay && link.sibling(key)) throw new StreamBusyError(key);
          }),
          hub.onPublish((st) => {
            if (st.info.relay) return;
            link.claim(st.key, st.info.from).catch((err) => {
              // Another worker won the race for the key: this publish ends, as a busy one would.
              log.warn("publish refused: a sibling worker publishes it", { key: st.key, error: err });
              st.end(`busy: ${(err as Error).message}`);
            });
          }),
          hub.onUnpublish((st) => {
            if (st.info.relay) return;
            link.release(st.key).catch((err) => log.warn("release failed", { key: st.key, error: err }));
          }),
          hub.onMissing((req) => puller.missing(req)),
        );
        // Players here waiting for a stream (RTMP <notfound>wait, HTTP-FLV's wait) that a sibling now
        // publishes: the relay starts, and the hub hands them the stream when it arrives.
        link.onSiblingPublish((keys) => {
          const waiting = new Set(hub.waitingKeys());
          for (const key of keys) {
            if (!waiting.has(key) || hub.get(key)) continue;
            const [app, ...rest] = key.split("/");
            puller.missing({
              role: "player",
              protocol: "rtmp",
              app,
              name: rest.join("/"),
              vhost: "",
              query: "",
            });
          }
        });
        await link.start(relay.port);
      },
      async close() {
        for (const f of off.splice(0)) f();
        await puller.close();
        await relay.close();
        await link.close();
      },
      update(next) {
        puller.configure(relayOptions(next));
        return Promise.resolve();
      },
      listeners: () => ({}),
      stats: () => ({ worker: link.index, relayPort: relay.port, relays: puller.stats() }),
    };
  },
});
