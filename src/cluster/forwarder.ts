/**
 * One push of one stream to one target: a Reader of the stream that publishes with our RTMP client.
 * The Reader exists only while the target takes the stream, so every (re)connect starts on a keyframe
 * (the GOP cache, or the next keyframe). A target that refuses, times out or drops is retried every
 * `reconnectMs`; `timeoutMs` bounds connect + handshake + publish. Codecs the target cannot take are
 * left out, with one log line each.
 */
import type { Frame, Reader, Stream, Track } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import { parseRtmpUrl, RtmpClient } from "../protocols/rtmp/mod.ts";
import { VIA_PROPERTY, viaValue } from "../protocols/rtmp/via.ts";
import { carriable, publishForm } from "./codecs.ts";
import { ForwardStatus } from "./state.ts";
import type { ForwardTarget } from "./targets.ts";

/** Read live by every forwarder at each attempt, so a reload reaches the running ones. */
export interface ForwardOptions {
  reconnectMs: number;
  timeoutMs: number;
  /** PEM: CAs to trust for rtmps:// targets (none = the system's), our certificate and key (mutual TLS). */
  tls: { caCerts?: string[]; cert?: string; key?: string };
}

/** What /api/live and the metrics show of one forward. */
export interface ForwardInfo {
  key: string;
  /** host:port connected to. */
  target: string;
  url: string;
  tls: boolean;
  state: ForwardStatus["state"];
  /** Bytes sent to the target, over every connection. */
  bytes: number;
  reconnects: number;
  /** ISO time the current state began. */
  since: string;
  error?: string;
}

/** Past these the target is too slow: drop to the next keyframe (the publisher is never held up). */
const QUEUE = { maxBytes: 16 * 1024 * 1024, maxDurationMs: 10_000 };

/**
 * A target that accepted the stream but stops reading (hung, or a dead path without a reset) would hold
 * the forward in "forwarding" forever: a write pending this long ends the connection and retries.
 */
export const WRITE_STALL_MS = 10_000;

export class Forwarder {
  readonly stream: Stream;
  readonly target: ForwardTarget;
  readonly status: ForwardStatus;
  #opts: ForwardOptions;
  #via: string[];
  #log: Logger;
  #client: RtmpClient | undefined;
  #reader: Reader | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #bytesBefore = 0;
  /** Codecs already reported as left out (one line each per forward). */
  #leftOut = new Set<string>();
  #enhanced = false;
  /** When the write the sink awaits began (0: none pending); checked by #watch. */
  #writingSince = 0;
  #watch: ReturnType<typeof setInterval> | undefined;

  #onStopped: (f: Forwarder) => void;

  constructor(o: {
    stream: Stream;
    target: ForwardTarget;
    via: string[];
    opts: ForwardOptions;
    log: Logger;
    /** Called once, when it has stopped (its bytes are final). */
    onStopped?: (f: Forwarder) => void;
  }) {
    this.#onStopped = o.onStopped ?? (() => {});
    this.stream = o.stream;
    this.target = o.target;
    this.#opts = o.opts;
    this.#via = o.via;
    this.#log = o.log.child({
      key: o.stream.key,
      target: `${o.target.host}:${o.target.port}`,
      url: o.target.url,
    });
    this.status = new ForwardStatus(this.#log);
  }

  get bytes(): number {
    return this.#bytesBefore + (this.#client?.bytesOut ?? 0);
  }

  info(): ForwardInfo {
    const t = this.target;
    return {
      key: this.stream.key,
      target: `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`,
      url: t.url,
      tls: t.tls,
      state: this.status.state,
      bytes: this.bytes,
      reconnects: this.status.reconnects,
      since: new Date(this.status.since).toISOString(),
      error: this.status.error || undefined,
    };
  }

  start(): void {
    void this.#attempt();
  }

  /**
   * The stream ended: a forward under way first sends what its reader still holds (the reader then
   * closes it); one that is waiting to retry stops now.
   */
  finish(why: string): void {
    if (!this.#reader) this.close(why);
  }

  /** Stops forwarding (rule removed, server stopping): unpublishes at the target. */
  close(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#dropReader(why);
    this.#stopClient();
    this.status.on({ type: "stopped", why });
    this.#onStopped(this);
  }

  async #attempt(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    let client: RtmpClient;
    try {
      await this.stream.tracksReady;
      client = await this.#publish();
    } catch (err) {
      return this.#failed((err as Error).message);
    }
    if (this.#closed || this.stream.isEnded) {
      client.close();
      if (this.stream.isEnded) this.close(`stream ended: ${this.stream.endReason}`);
      return;
    }
    this.#client = client;
    this.status.on({ type: "published" });
    this.#watch = setInterval(() => {
      if (this.#writingSince && Date.now() - this.#writingSince > WRITE_STALL_MS) {
        this.#failed(`the target took no data for ${WRITE_STALL_MS / 1000} s`);
      }
    }, 1000);
    client.done.then((reason) => {
      if (this.#client === client) this.#failed(`connection closed: ${reason}`);
    });
    this.#reader = this.stream.addReader((frames) => this.#send(client, frames), {
      ...QUEUE,
      onClose: (r, reason) => {
        if (this.#reader !== r) return;
        this.#reader = undefined;
        if (this.stream.isEnded) this.close(reason);
        else if (!this.#closed) this.#failed(reason);
      },
    });
  }

  /** Connect, handshake and publish within `timeoutMs`; a late success is closed, never leaked. */
  async #publish(): Promise<RtmpClient> {
    const t = this.target;
    const timeoutMs = this.#opts.timeoutMs;
    let late = false;
    const attempt = (async () => {
      const client = await RtmpClient.connectTo(parseRtmpUrl(t.url), { hostname: t.host, port: t.port }, {
        timeoutMs,
        ...this.#opts.tls,
        connectProperties: { [VIA_PROPERTY]: viaValue(this.#via) },
        log: this.#log,
      });
      try {
        this.#enhanced = client.serverFourCcs.size > 0;
        await client.publish({ form: publishForm(this.stream.videoTrack, this.#enhanced) });
        const [video, audio] = [this.stream.videoTrack, this.stream.audioTrack].map((tr) => this.#keep(tr));
        await client.setMetadata(
          video?.kind === "video" ? video : undefined,
          audio?.kind === "audio" ? audio : undefined,
        );
      } catch (err) {
        client.close();
        throw err;
      }
      if (late) client.close();
      return client;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(new Error(`connect and publish took more than ${timeoutMs} ms (<rtmp><fwdtimeout>)`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The track if the target can take it; otherwise undefined, logged once per codec. */
  #keep(track: Track | undefined): Track | undefined {
    if (!track || carriable(track, this.#enhanced)) return track;
    if (!this.#leftOut.has(track.codec)) {
      this.#leftOut.add(track.codec);
      this.#log.warn(`forward leaves ${track.kind} out`, {
        codec: track.codec,
        why: "the target does not speak Enhanced RTMP (no fourCcList in its connect answer)",
      });
    }
    return undefined;
  }

  async #send(client: RtmpClient, frames: Frame[]): Promise<void> {
    let last: Promise<void> | undefined;
    for (const f of frames) {
      if (client.closed) return;
      if (this.#keep(f.track)) last = client.write(f);
    }
    if (!last || this.#client !== client) return;
    this.#writingSince = Date.now();
    await last;
    if (this.#client === client) this.#writingSince = 0;
  }

  #failed(why: string) {
    if (this.#closed) return;
    this.#dropReader(why);
    this.#stopClient();
    if (this.stream.isEnded) return this.close(`stream ended: ${this.stream.endReason}`);
    this.status.on({ type: "failed", why });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.status.on({ type: "attempt" });
      void this.#attempt();
    }, this.#opts.reconnectMs);
  }

  /** Forgets the reader before closing it, so its onClose does not take this for a failure. */
  #dropReader(why: string) {
    const r = this.#reader;
    this.#reader = undefined;
    r?.close(why);
  }

  #stopClient() {
    clearInterval(this.#watch);
    this.#watch = undefined;
    this.#writingSince = 0;
    const c = this.#client;
    if (!c) return;
    this.#client = undefined;
    this.#bytesBefore += c.bytesOut;
    // Unpublishes cleanly when the connection is still up.
    c.stop().catch(() => c.close());
  }
}
