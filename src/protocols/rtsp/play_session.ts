/**
 * A playing session (DESCRIBE → SETUP → PLAY): subscribes the player to the stream's shared RTP
 * fan-out for its channel layout, over the RTSP connection (interleaved) or UDP pairs.
 */
import { Fanout, type FanoutSink, type Subscriber } from "../../core/fanout.ts";
import type { Stream } from "../../core/stream.ts";
import type { Lease, SharedOutput } from "../../core/shared_outputs.ts";
import type { Track } from "../../core/track.ts";
import { buildBye, parseRtcp } from "../../formats/rtp/rtcp.ts";
import type { RtspContext } from "./context.ts";
import { RtspError } from "./message.ts";
import {
  layoutId,
  type PlaySlot,
  RtpFanoutMuxer,
  type StartInfo,
  UdpPlayerSink,
  type UdpTarget,
} from "./play_muxer.ts";
import type { TransportSpec } from "./transport.ts";
import type { UdpPair } from "./udp.ts";

/** A track offered in our SDP. */
export interface DescribedTrack {
  track: Track;
  payloadType: number;
  control: string;
}

interface SetupTrack {
  described: DescribedTrack;
  url: string;
  channel?: number;
  udp?: { pair: UdpPair; clientPort: [number, number] };
}

/** The Fanout of one layout plus its muxer (for RTP-Info), shared via the stream's outputs. */
class SharedRtp implements SharedOutput {
  readonly muxer: RtpFanoutMuxer;
  readonly fanout: Fanout;
  constructor(stream: Stream, slots: PlaySlot[], ctx: RtspContext) {
    this.muxer = new RtpFanoutMuxer(slots, {
      mtu: ctx.mtu,
      streamHasVideo: () => stream.videoTrack !== undefined,
    });
    this.fanout = new Fanout(stream, this.muxer, ctx.fanout);
  }
  close(): void {
    this.fanout.close("stream ended");
  }
}

export class PlaySession {
  readonly mode = "play";
  readonly id: string;
  readonly stream: Stream;
  #ctx: RtspContext;
  #described: DescribedTrack[];
  #setup = new Map<number, SetupTrack>();
  #lower: "tcp" | "udp" | undefined;
  #remote: string;
  #tcpSink: FanoutSink;
  #onEnd: (reason: string) => void;
  #sub: Subscriber | undefined;
  #pausing = false;
  /** The sink of the current subscription (to say BYE on it). */
  #lastSink: FanoutSink | undefined;
  #byes: Uint8Array[] = [];
  #release: (() => void) | undefined;
  #lease: { id: string; lease: Lease<SharedRtp> } | undefined;
  #closed = false;
  /** Bytes of the subscriptions before the current one (PAUSE ends one, PLAY starts the next). */
  #sentBefore = 0;
  lastActivity = Date.now();

  constructor(o: {
    id: string;
    ctx: RtspContext;
    stream: Stream;
    described: DescribedTrack[];
    remote: string;
    /** Writes to the RTSP connection (shared with its replies). */
    write: (bytes: Uint8Array) => Promise<unknown>;
    /** Puts bytes on the connection now if it can (FanoutSink.trySend); none: always `write`. */
    trySend?: (bytes: Uint8Array) => number;
    /** The fan-out gave up on this player, or the stream ended: close the connection. */
    onEnd: (reason: string) => void;
  }) {
    this.id = o.id;
    this.#ctx = o.ctx;
    this.stream = o.stream;
    this.#described = o.described;
    this.#remote = o.remote;
    this.#onEnd = o.onEnd;
    this.#tcpSink = { write: o.write, trySend: o.trySend, close: (reason) => this.#subscriberClosed(reason) };
  }

  get lower(): "tcp" | "udp" | undefined {
    return this.#lower;
  }

  get playing(): boolean {
    return this.#sub !== undefined;
  }

  /** Same as `playing` (the session list's word for a session that moves media). */
  get active(): boolean {
    return this.playing;
  }

  /** RTP and RTCP bytes sent to this player (interleaved or UDP). */
  get bytesSent(): number {
    return this.#sentBefore + (this.#sub?.stats.bytes ?? 0);
  }

  /** Receiver reports are not counted: a player's bytes are what it was sent. */
  get bytesReceived(): number {
    return 0;
  }

  /** Lets go of the current subscription, keeping its byte count. */
  #endSub(): void {
    this.#sentBefore += this.#sub?.stats.bytes ?? 0;
    this.#sub = undefined;
  }

  setup(index: number, url: string, offers: TransportSpec[]): TransportSpec {
    if (this.#sub) throw new RtspError(455, "RTSP SETUP while playing is not supported: PAUSE first");
    const described = this.#described[index];
    const spec = offers.find((o) =>
      !o.multicast && o.protocol.startsWith("RTP/AVP") && (!this.#lower || o.lower === this.#lower)
    );
    if (!spec) {
      throw new RtspError(
        461,
        `RTSP Transport "${offers.map((o) => o.protocol).join(",")}" is unsupported`,
      );
    }
    this.#releaseTrack(index);
    this.#lower = spec.lower;
    if (spec.lower === "tcp") {
      const [rtp, rtcp] = spec.interleaved ?? [2 * index, 2 * index + 1];
      for (const t of this.#setup.values()) {
        if (t.channel === rtp || t.channel === rtcp || t.channel! + 1 === rtp) {
          throw new RtspError(461, `RTSP interleaved channels ${rtp}-${rtcp} are already in use`);
        }
      }
      this.#setup.set(index, { described, url, channel: rtp });
      return { protocol: "RTP/AVP/TCP", lower: "tcp", multicast: false, interleaved: [rtp, rtcp] };
    }
    if (!spec.clientPort) throw new RtspError(461, "RTSP UDP Transport without client_port is unsupported");
    const pair = this.#ctx.ports.allocate(false);
    this.#setup.set(index, { described, url, udp: { pair, clientPort: spec.clientPort } });
    pair.listen(() => {/* NAT punch packets */}, (data, from) => {
      if (from.hostname !== this.#remote) return;
      this.lastActivity = Date.now();
      try {
        parseRtcp(data);
      } catch { /* a bad RR only fails liveness, not the session */ }
    });
    return {
      protocol: "RTP/AVP/UDP",
      lower: "udp",
      multicast: false,
      clientPort: spec.clientPort,
      serverPort: [pair.rtpPort, pair.rtcpPort],
      source: this.#ctx.natHost,
    };
  }

  /** Interleaved data from a TCP player: RTCP receiver reports (liveness only). */
  onInterleaved(channel: number): boolean {
    for (const t of this.#setup.values()) {
      if (t.channel !== undefined && (channel === t.channel || channel === t.channel + 1)) {
        this.lastActivity = Date.now();
        return true;
      }
    }
    return false;
  }

  /**
   * Starts delivery. `reply(rtpInfo)` builds the PLAY response; over TCP it is written as the
   * subscription's prefix, so it always precedes the first RTP packet.
   */
  async play(reply: (rtpInfo: string) => Uint8Array): Promise<void> {
    if (this.#setup.size === 0) throw new RtspError(455, "RTSP PLAY before any SETUP is not valid");
    if (this.#sub) {
      await this.#tcpSink.write(reply(""));
      return;
    }
    const order = [...this.#setup.keys()].sort((a, b) => a - b);
    const tracks = order.map((i) => this.#setup.get(i)!);
    const slots: PlaySlot[] = tracks.map((t, k) => ({
      track: t.described.track,
      payloadType: t.described.payloadType,
      channel: this.#lower === "tcp" ? t.channel! : 2 * k,
    }));
    const shared = this.#acquire(slots);
    const info = shared.muxer.startInfo();
    const rtpInfo = tracks.map((t, k) => rtpInfoEntry(t.url, info[k])).join(",");
    this.#byes = slots.map((slot, k) => {
      const bye = buildBye(shared.muxer.ssrc(k));
      const b = new Uint8Array(4 + bye.length);
      b.set([0x24, slot.channel + 1, 0, bye.length]);
      b.set(bye, 4);
      return b;
    });
    this.#release ??= this.stream.attachPlayer("rtsp");
    this.#pausing = false;
    if (this.#lower === "tcp") {
      this.#lastSink = this.#tcpSink;
      this.#sub = shared.fanout.subscribe(this.#tcpSink, reply(rtpInfo));
      return;
    }
    await this.#tcpSink.write(reply(rtpInfo));
    const targets: UdpTarget[] = tracks.map((t) => ({
      pair: t.udp!.pair,
      rtp: { hostname: this.#remote, port: t.udp!.clientPort[0] },
      rtcp: { hostname: this.#remote, port: t.udp!.clientPort[1] },
    }));
    if (this.#closed) return;
    this.#lastSink = new UdpPlayerSink(targets, (r) => this.#subscriberClosed(r), this.#ctx.totals);
    this.#sub = shared.fanout.subscribe(this.#lastSink);
  }

  /** Holds the layout's shared RTP output across PAUSE/PLAY; a new layout (SETUP after PAUSE) swaps it. */
  #acquire(slots: PlaySlot[]): SharedRtp {
    const id = layoutId(slots);
    if (this.#lease?.id !== id) {
      this.#lease?.lease.release();
      this.#lease = {
        id,
        lease: this.stream.outputs.acquire(id, () => new SharedRtp(this.stream, slots, this.#ctx)),
      };
    }
    return this.#lease.lease.value;
  }

  pause(): void {
    if (!this.#sub) return;
    this.#pausing = true;
    this.#sub.close("paused");
    this.#endSub();
    this.#pausing = false;
  }

  #subscriberClosed(reason: string): void {
    if (this.#pausing || this.#closed) return;
    const sink = this.#sub === undefined ? undefined : this.#lastSink;
    this.#endSub();
    if (!this.stream.isEnded || !sink) {
      this.#onEnd(reason);
      return;
    }
    // The stream ended: an RTCP BYE per track lets players finish at once (UDP players cannot
    // see the end any other way). Best effort, bounded.
    let bytes = 0;
    for (const b of this.#byes) bytes += b.length;
    const all = new Uint8Array(bytes);
    let o = 0;
    for (const b of this.#byes) (all.set(b, o), o += b.length);
    const done = () => this.#onEnd(reason);
    const timer = setTimeout(done, 1000);
    sink.write(all).catch(() => {}).finally(() => {
      clearTimeout(timer);
      done();
    });
  }

  #releaseTrack(index: number): void {
    this.#setup.get(index)?.udp?.pair.close();
    this.#setup.delete(index);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sub?.close("session closed");
    this.#endSub();
    for (const i of [...this.#setup.keys()]) this.#releaseTrack(i);
    this.#release?.();
    this.#lease?.lease.release();
    this.#lease = undefined;
  }
}

function rtpInfoEntry(url: string, s: StartInfo): string {
  return `url=${url};seq=${s.seq};rtptime=${s.rtptime}`;
}
