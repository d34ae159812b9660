/**
 * A publishing session (ANNOUNCE → SETUP → RECORD): RTP over interleaved channels or UDP pairs
 * → per-track receivers → Frames into the Stream. Sends RTCP receiver reports back.
 */
import { ProtocolError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Stream } from "../../core/stream.ts";
import type { Logger } from "../../log/mod.ts";
import type { MediaInfo, UnsupportedMedia } from "../../formats/sdp/mod.ts";
import { parseRtp } from "../../formats/rtp/packet.ts";
import { RtpReceiver } from "../../formats/rtp/receiver.ts";
import { buildReceiverReport, parseRtcp, RTCP_SR } from "../../formats/rtp/rtcp.ts";
import { SessionClock } from "../../formats/rtp/timeline.ts";
import type { RtspContext } from "./context.ts";
import { RtspError } from "./message.ts";
import type { TransportSpec } from "./transport.ts";
import type { UdpAddr, UdpPair } from "./udp.ts";

const RR_INTERVAL_MS = 3000;
/** UDP packets may arrive out of order: wait this many packets before calling a gap a loss. */
const UDP_REORDER_WINDOW = 64;

interface RecordTrack {
  media: MediaInfo | UnsupportedMedia;
  receiver: RtpReceiver | undefined;
  channel?: number;
  /** `peer` is the publisher's RTCP address (receiver reports go there). */
  udp?: { pair: UdpPair; peer: UdpAddr };
  setUp: boolean;
}

export class RecordSession {
  readonly mode = "record";
  readonly id: string;
  readonly stream: Stream;
  #ctx: RtspContext;
  #log: Logger;
  #tracks: RecordTrack[];
  #byChannel = new Map<number, number>();
  #remote: string;
  #sendInterleaved: (bytes: Uint8Array) => void;
  #lower: "tcp" | "udp" | undefined;
  #recording = false;
  #rrTimer: ReturnType<typeof setInterval> | undefined;
  /** One clock for all tracks, so they stay in sync. */
  #clock = new SessionClock();
  #ssrc = crypto.getRandomValues(new Uint32Array(1))[0];
  #frames: Frame[] = [];
  #badLogged = false;
  #closed = false;
  lastPacketAt = Date.now();
  readonly stats = { packets: 0, bytes: 0, badPackets: 0, unknownChannel: 0 };

  constructor(o: {
    id: string;
    ctx: RtspContext;
    log: Logger;
    stream: Stream;
    medias: (MediaInfo | UnsupportedMedia)[];
    remote: string;
    sendInterleaved: (bytes: Uint8Array) => void;
  }) {
    this.id = o.id;
    this.#ctx = o.ctx;
    this.#log = o.log;
    this.stream = o.stream;
    this.#remote = o.remote;
    this.#sendInterleaved = o.sendInterleaved;
    this.#tracks = o.medias.map((media) => ({
      media,
      setUp: false,
      receiver: "unsupported" in media ? undefined : new RtpReceiver({
        codec: media.codec,
        rtpClock: media.rtpClock,
        track: media.track,
        aacLayout: media.aacLayout,
        session: this.#clock,
        reorderWindow: 0,
      }),
    }));
  }

  get trackCount(): number {
    return this.#tracks.length;
  }

  get recording(): boolean {
    return this.#recording;
  }

  /** Same as `recording` (the session list's word for a session that moves media). */
  get active(): boolean {
    return this.#recording;
  }

  /** RTP bytes received from the publisher (interleaved or UDP). */
  get bytesReceived(): number {
    return this.stats.bytes;
  }

  /** Only receiver reports go back: not counted. */
  get bytesSent(): number {
    return 0;
  }

  /** Sets up one announced media; returns the Transport to answer. */
  setup(index: number, offers: TransportSpec[]): TransportSpec {
    if (this.#recording) throw new RtspError(455, "RTSP SETUP after RECORD is not supported");
    const t = this.#tracks[index];
    const spec = offers.find((o) =>
      !o.multicast && o.protocol.startsWith("RTP/AVP") && (!this.#lower || o.lower === this.#lower)
    );
    if (!spec) {
      throw new RtspError(
        461,
        `RTSP Transport "${offers.map((o) => o.protocol).join(",")}" is unsupported`,
      );
    }
    if (t.setUp) this.#release(t);
    this.#lower = spec.lower;
    t.setUp = true;
    if (spec.lower === "tcp") {
      const [rtp, rtcp] = spec.interleaved ?? [2 * index, 2 * index + 1];
      if (this.#byChannel.has(rtp) || this.#byChannel.has(rtcp)) {
        throw new RtspError(461, `RTSP interleaved channels ${rtp}-${rtcp} are already in use`);
      }
      t.channel = rtp;
      this.#byChannel.set(rtp, index);
      this.#byChannel.set(rtcp, index);
      return {
        protocol: "RTP/AVP/TCP",
        lower: "tcp",
        multicast: false,
        interleaved: [rtp, rtcp],
        mode: "record",
      };
    }
    if (!spec.clientPort) throw new RtspError(461, "RTSP UDP Transport without client_port is unsupported");
    const pair = this.#ctx.ports.allocate();
    const peer = { hostname: this.#remote, port: spec.clientPort[1] };
    t.udp = { pair, peer };
    t.receiver = this.#udpReceiver(t);
    pair.listen(
      (data, from) => from.hostname === this.#remote && this.#onRtp(index, data),
      (data, from) => from.hostname === this.#remote && this.#onRtcp(index, data),
    );
    return {
      protocol: "RTP/AVP/UDP",
      lower: "udp",
      multicast: false,
      clientPort: spec.clientPort,
      serverPort: [pair.rtpPort, pair.rtcpPort],
      source: this.#ctx.natHost,
      mode: "record",
    };
  }

  /** A UDP track needs a reorder window; rebuilt with the same SDP facts. */
  #udpReceiver(t: RecordTrack): RtpReceiver | undefined {
    const m = t.media;
    if ("unsupported" in m) return undefined;
    return new RtpReceiver({
      codec: m.codec,
      rtpClock: m.rtpClock,
      track: m.track,
      aacLayout: m.aacLayout,
      session: this.#clock,
      reorderWindow: UDP_REORDER_WINDOW,
    });
  }

  record(): void {
    if (!this.#tracks.some((t) => t.setUp)) {
      throw new RtspError(455, "RTSP RECORD before any SETUP is not valid");
    }
    if (this.#recording) return;
    this.#recording = true;
    this.lastPacketAt = Date.now();
    for (const t of this.#tracks) if (t.setUp && t.receiver?.track) this.stream.setTrack(t.receiver.track);
    this.#rrTimer = setInterval(() => this.#sendReports(), RR_INTERVAL_MS);
  }

  /** An interleaved frame from the connection; false when its channel is unknown. */
  onInterleaved(channel: number, payload: Uint8Array): boolean {
    const index = this.#byChannel.get(channel);
    if (index === undefined) {
      this.stats.unknownChannel++;
      return false;
    }
    if (channel === this.#tracks[index].channel) this.#onRtp(index, payload);
    else this.#onRtcp(index, payload);
    return true;
  }

  #onRtp(index: number, data: Uint8Array): void {
    if (!this.#recording || this.#closed) return;
    const t = this.#tracks[index];
    this.stats.packets++;
    this.stats.bytes += data.length;
    this.#ctx.totals.bytesIn += data.length;
    this.lastPacketAt = Date.now();
    if (!t.receiver) return; // an SDP media we cannot use: its packets are dropped
    const frames = this.#frames;
    frames.length = 0;
    try {
      t.receiver.push(parseRtp(data), this.lastPacketAt, frames);
    } catch (err) {
      this.#bad(err);
    }
    for (const f of frames) this.stream.write(f);
  }

  #onRtcp(index: number, data: Uint8Array): void {
    const t = this.#tracks[index];
    try {
      for (const p of parseRtcp(data)) {
        if (p.type === RTCP_SR) t.receiver?.senderReport(p, Date.now());
      }
    } catch (err) {
      this.#bad(err);
    }
  }

  #bad(err: unknown): void {
    this.stats.badPackets++;
    this.#ctx.totals.badPackets++;
    if (!(err instanceof ProtocolError)) throw err;
    if (!this.#badLogged) {
      this.#badLogged = true;
      this.#log.warn("rtsp bad media packet dropped", { error: err.message });
    }
  }

  #sendReports(): void {
    const now = Date.now();
    for (const t of this.#tracks) {
      const block = t.receiver?.reportBlock(now);
      if (!block) continue;
      const rr = buildReceiverReport(this.#ssrc, [block]);
      if (t.udp) {
        t.udp.pair.sendRtcp(rr, t.udp.peer).catch(() => {});
      } else if (t.channel !== undefined) {
        const b = new Uint8Array(4 + rr.length);
        b[0] = 0x24;
        b[1] = t.channel + 1;
        b[3] = rr.length;
        b.set(rr, 4);
        this.#sendInterleaved(b);
      }
    }
  }

  #release(t: RecordTrack): void {
    t.udp?.pair.close();
    t.udp = undefined;
    if (t.channel !== undefined) {
      this.#byChannel.delete(t.channel);
      this.#byChannel.delete(t.channel + 1);
    }
  }

  receiverStats(): Record<string, unknown>[] {
    return this.#tracks.map((t) => ({
      codec: "unsupported" in t.media ? "unsupported" : t.media.codec,
      ...t.receiver?.stats,
    }));
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#rrTimer);
    const tail: Frame[] = [];
    for (const t of this.#tracks) {
      t.receiver?.flush(tail);
      this.#release(t);
    }
    for (const f of tail) this.stream.write(f);
    this.stream.end(reason);
  }
}
