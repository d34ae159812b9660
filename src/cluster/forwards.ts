/**
 * Every forward of the server: watches the hub, starts a Forwarder for each (stream, target) the
 * policy names when a stream is published, and reconciles on a reload (new rules start forwarding the
 * live streams, removed ones stop, unchanged ones go on untouched).
 */
import type { Policy } from "../config/mod.ts";
import type { Hub, Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import { Forwarder, type ForwardInfo, type ForwardOptions } from "./forwarder.ts";
import { type ForwardTarget, forwardTargets, sourceOf } from "./targets.ts";

export interface ForwardsOptions extends ForwardOptions {
  policy: Policy;
  /** The host of a stream that named none (SRT's short stream id): this server's own RTMP host. */
  ownHost: string;
}

export interface ForwardsStats {
  forwards: ForwardInfo[];
  /** Totals since the service started, ended forwards included. */
  bytesSent: number;
  reconnects: number;
}

const idOf = (t: ForwardTarget) => `${t.host}|${t.port}|${t.url}`;

export class Forwards {
  #hub: Hub;
  #log: Logger;
  #opts: ForwardsOptions;
  /** Shared by every forwarder and edited in place by update(). */
  #live: ForwardOptions;
  #byStream = new Map<Stream, Map<string, Forwarder>>();
  #unsubscribe: (() => void)[] = [];
  #endedBytes = 0;
  #endedReconnects = 0;

  constructor(o: { hub: Hub; log: Logger; opts: ForwardsOptions }) {
    this.#hub = o.hub;
    this.#log = o.log.child({ svc: "forward" });
    this.#opts = o.opts;
    this.#live = { reconnectMs: o.opts.reconnectMs, timeoutMs: o.opts.timeoutMs, tls: o.opts.tls };
  }

  start(): void {
    this.#unsubscribe = [
      this.#hub.onPublish((s) => this.#apply(s)),
      this.#hub.onUnpublish((s) => this.#drop(s, `stream ended: ${s.endReason}`, true)),
    ];
    for (const s of this.#hub.streams()) this.#apply(s);
  }

  update(opts: ForwardsOptions): void {
    this.#opts = opts;
    Object.assign(this.#live, { reconnectMs: opts.reconnectMs, timeoutMs: opts.timeoutMs, tls: opts.tls });
    for (const s of this.#hub.streams()) this.#apply(s);
  }

  close(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    for (const s of [...this.#byStream.keys()]) this.#drop(s, "forwarding stopped");
  }

  stats(): ForwardsStats {
    const forwards: ForwardInfo[] = [];
    let bytesSent = this.#endedBytes, reconnects = this.#endedReconnects;
    for (const m of this.#byStream.values()) {
      for (const f of m.values()) {
        const i = f.info();
        forwards.push(i);
        bytesSent += i.bytes;
        reconnects += i.reconnects;
      }
    }
    return { forwards, bytesSent, reconnects };
  }

  /** Starts the forwards `stream` should have and stops those it should no longer have. */
  #apply(stream: Stream) {
    // A sibling worker's copy: forwarded by the publisher's worker.
    if (stream.isEnded || stream.info.relay) return;
    const wanted = new Map<string, ForwardTarget>();
    for (const t of forwardTargets(this.#opts.policy, sourceOf(stream, this.#opts.ownHost))) {
      wanted.set(idOf(t), t);
    }
    let running = this.#byStream.get(stream);
    for (const [id, f] of running ?? []) {
      if (!wanted.has(id)) this.#end(running!, id, f, "forward rule removed");
    }
    if (wanted.size === 0) {
      if (running?.size === 0) this.#byStream.delete(stream);
      return;
    }
    if (!running) this.#byStream.set(stream, running = new Map());
    // This server joins the chain the stream came with: a target that sends it back refuses it.
    const via = [...stream.info.via ?? [], this.#hub.serverId];
    for (const [id, target] of wanted) {
      if (running.has(id)) continue;
      const f = new Forwarder({
        stream,
        target,
        via,
        opts: this.#live,
        log: this.#log,
        onStopped: this.#stopped,
      });
      running.set(id, f);
      f.start();
    }
  }

  /** `ended`: the stream ended, so forwards under way send what they still hold first. */
  #drop(stream: Stream, why: string, ended = false) {
    const running = this.#byStream.get(stream);
    if (!running) return;
    this.#byStream.delete(stream);
    for (const f of running.values()) {
      if (ended) f.finish(why);
      else f.close(why);
    }
  }

  #end(running: Map<string, Forwarder>, id: string, f: Forwarder, why: string) {
    running.delete(id);
    f.close(why);
  }

  #stopped = (f: Forwarder) => {
    this.#endedBytes += f.bytes;
    this.#endedReconnects += f.status.reconnects;
  };
}
