/**
 * RTSP client: plays (pulls) an rtsp:// or rtsps:// URL — OPTIONS, DESCRIBE (with Basic/Digest
 * credentials from the URL), SETUP per track over TCP interleaved or UDP, PLAY — and turns the RTP
 * into Frames. `pullRtsp` publishes them into the hub (IP cameras, relays).
 */
import { ProtocolError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Hub } from "../../core/hub.ts";
import type { Stream } from "../../core/stream.ts";
import type { Track } from "../../core/track.ts";
import type { Logger } from "../../log/mod.ts";
import { attribute, type MediaInfo, mediaInfo, parseSdp } from "../../formats/sdp/mod.ts";
import { parseRtp } from "../../formats/rtp/packet.ts";
import { RtpReceiver } from "../../formats/rtp/receiver.ts";
import { buildReceiverReport, parseRtcp, RTCP_SR } from "../../formats/rtp/rtcp.ts";
import { SessionClock } from "../../formats/rtp/timeline.ts";
import { authorization } from "./auth.ts";
import { bodyText, RtspParser, type RtspResponse, serializeRequest } from "./message.ts";
import { formatTransport, parseTransport } from "./transport.ts";
import { type UdpPair, UdpPortPool } from "./udp.ts";
import { resolveControl } from "./url.ts";

export interface RtspClientOptions {
  url: string;
  log: Logger;
  transport?: "tcp" | "udp";
  /** Per request, and for media silence after PLAY. Default 10 s. */
  timeoutMs?: number;
  /** Extra CA certificates (PEM) for rtsps:// servers. */
  caCerts?: string[];
  /** Local UDP ports for transport "udp". Default 50000-50999. */
  rtpPortRange?: { min: number; max: number };
  onFrame: (frame: Frame) => void;
  onTrack?: (track: Track) => void;
}

interface ClientTrack {
  info: MediaInfo;
  receiver: RtpReceiver;
  channel: number;
  udp?: UdpPair;
  serverRtcp?: number;
}

const KEEPALIVE_MS = 20_000;
const RR_MS = 3000;

export class RtspClient {
  #o: RtspClientOptions;
  #url: string;
  #user = "";
  #pass = "";
  #conn: Deno.Conn | undefined;
  #parser = new RtspParser({ maxBodyBytes: 1 << 20 });
  #cseq = 0;
  #pending = new Map<number, (r: RtspResponse) => void>();
  #session: string | undefined;
  #challenges: string[] = [];
  #tracks: ClientTrack[] = [];
  #frames: Frame[] = [];
  #lastMedia = Date.now();
  #timers: ReturnType<typeof setInterval>[] = [];
  #closed = false;
  #host = "";
  #ssrc = crypto.getRandomValues(new Uint32Array(1))[0];
  #resolveClosed!: (reason: string) => void;
  /** Resolves with the reason once the client has stopped. */
  readonly closed: Promise<string> = new Promise((r) => this.#resolveClosed = r);

  constructor(o: RtspClientOptions) {
    this.#o = o;
    const m = /^(rtsps?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(.*)$/i.exec(o.url);
    if (!m) {
      throw new ProtocolError(
        `RTSP URL "${o.url}" is invalid: must be rtsp[s]://[user:pass@]host[:port]/path`,
      );
    }
    this.#user = decodeURIComponent(m[2] ?? "");
    this.#pass = decodeURIComponent(m[3] ?? "");
    this.#url = `${m[1].toLowerCase()}://${m[4]}`;
  }

  get tracks(): Track[] {
    return this.#tracks.map((t) => t.receiver.track).filter((t): t is Track => t !== undefined);
  }

  /** Connects and starts playing; throws (and closes) on any failure. */
  async start(): Promise<void> {
    try {
      await this.#start();
    } catch (err) {
      this.close(`start failed: ${(err as Error).message}`);
      throw err;
    }
  }

  async #start(): Promise<void> {
    const u = new URL(this.#url.replace(/^rtsps?:/i, "http:"));
    const tls = this.#url.startsWith("rtsps:");
    this.#host = u.hostname.replace(/^\[|\]$/g, "");
    const port = Number(u.port || (tls ? 322 : 554));
    this.#conn = tls
      ? await Deno.connectTls({ hostname: this.#host, port, caCerts: this.#o.caCerts })
      : await Deno.connect({ hostname: this.#host, port });
    this.#readLoop();
    await this.#request("OPTIONS", this.#url);
    const desc = await this.#request("DESCRIBE", this.#url, [["Accept", "application/sdp"]]);
    const base = desc.headers.get("content-base") ?? desc.headers.get("content-location") ?? this.#url;
    const sdp = parseSdp(bodyText(desc));
    const clock = new SessionClock();
    const udp = this.#o.transport === "udp";
    const pool = udp
      ? new UdpPortPool(this.#o.rtpPortRange ?? { min: 50000, max: 50999 }, "0.0.0.0")
      : undefined;
    for (const m of sdp.media) {
      const info = mediaInfo(m);
      if ("unsupported" in info) {
        this.#o.log.warn("rtsp client skips media", { why: info.unsupported });
        continue;
      }
      const i = this.#tracks.length;
      const t: ClientTrack = {
        info,
        channel: 2 * i,
        receiver: new RtpReceiver({ ...info, session: clock, reorderWindow: udp ? 64 : 0 }),
      };
      const transport = udp
        ? this.#udpTransport(t, pool!)
        : `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
      const res = await this.#request("SETUP", resolveControl(base, info.control), [[
        "Transport",
        transport,
      ]]);
      const reply = parseTransport(res.headers.get("transport") ?? "")[0];
      if (reply?.interleaved) t.channel = reply.interleaved[0];
      if (reply?.serverPort) t.serverRtcp = reply.serverPort[1];
      this.#session ??= res.headers.get("session")?.split(";")[0].trim();
      this.#tracks.push(t);
    }
    if (this.#tracks.length === 0) {
      throw new ProtocolError(`RTSP ${this.#url} offers no media we can receive`);
    }
    for (const t of this.#tracks) if (t.receiver.track) this.#o.onTrack?.(t.receiver.track);
    await this.#request("PLAY", resolveControl(base, attribute(sdp, "control") ?? ""), [[
      "Range",
      "npt=0.000-",
    ]]);
    this.#lastMedia = Date.now();
    const timeout = this.#o.timeoutMs ?? 10_000;
    this.#timers.push(setInterval(() => {
      if (Date.now() - this.#lastMedia > timeout) this.close(`no media for ${timeout} ms`);
    }, 1000));
    this.#timers.push(
      setInterval(() => this.#request("GET_PARAMETER", this.#url).catch(() => {}), KEEPALIVE_MS),
    );
    this.#timers.push(setInterval(() => this.#sendReports(), RR_MS));
  }

  #udpTransport(t: ClientTrack, pool: UdpPortPool): string {
    const pair = pool.allocate();
    t.udp = pair;
    pair.listen((data) => this.#onRtp(t, data), (data) => this.#onRtcp(t, data));
    return formatTransport({
      protocol: "RTP/AVP",
      lower: "udp",
      multicast: false,
      clientPort: [pair.rtpPort, pair.rtcpPort],
    });
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed) {
        const n = await this.#conn!.read(buf);
        if (n === null) break;
        this.#parser.push(buf.subarray(0, n));
        for (let item = this.#parser.next(); item; item = this.#parser.next()) {
          if (item.type === "response") {
            const cseq = Number(item.response.headers.get("cseq"));
            this.#pending.get(cseq)?.(item.response);
            this.#pending.delete(cseq);
          } else if (item.type === "data") {
            const { channel, payload } = item;
            const t = this.#tracks.find((t) => channel === t.channel || channel === t.channel + 1);
            if (!t) continue;
            if (channel === t.channel) this.#onRtp(t, payload);
            else this.#onRtcp(t, payload);
          }
        }
      }
      this.close("server closed the connection");
    } catch (err) {
      this.close(`read failed: ${(err as Error).message}`);
    }
  }

  #onRtp(t: ClientTrack, data: Uint8Array): void {
    if (this.#closed) return;
    this.#lastMedia = Date.now();
    const before = t.receiver.track;
    const frames = this.#frames;
    frames.length = 0;
    try {
      t.receiver.push(parseRtp(data), this.#lastMedia, frames);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
    const after = t.receiver.track;
    if (after && after !== before) this.#o.onTrack?.(after);
    for (const f of frames) this.#o.onFrame(f);
  }

  #onRtcp(t: ClientTrack, data: Uint8Array): void {
    try {
      for (const p of parseRtcp(data)) if (p.type === RTCP_SR) t.receiver.senderReport(p, Date.now());
    } catch { /* a bad report is ignored */ }
  }

  #sendReports(): void {
    for (const t of this.#tracks) {
      const block = t.receiver.reportBlock(Date.now());
      if (!block) continue;
      const rr = buildReceiverReport(this.#ssrc, [block]);
      if (t.udp && t.serverRtcp) {
        t.udp.sendRtcp(rr, { hostname: this.#host, port: t.serverRtcp }).catch(() => {});
      } else if (!t.udp) {
        const b = new Uint8Array(4 + rr.length);
        b.set([0x24, t.channel + 1, rr.length >> 8, rr.length & 0xff]);
        b.set(rr, 4);
        this.#write(b).catch(() => {});
      }
    }
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let o = 0;
    while (o < bytes.length) o += await this.#conn!.write(bytes.subarray(o));
  }

  async #request(
    method: string,
    uri: string,
    headers: [string, string][] = [],
    retry = true,
  ): Promise<RtspResponse> {
    if (this.#closed) throw new ProtocolError(`RTSP ${method} on a closed client`);
    const cseq = ++this.#cseq;
    const h: [string, string][] = [["CSeq", String(cseq)], ["User-Agent", "Estuary"], ...headers];
    if (this.#session) h.push(["Session", this.#session]);
    if (this.#challenges.length > 0) {
      const a = authorization(this.#challenges, { user: this.#user, pass: this.#pass, method, uri });
      if (a) h.push(["Authorization", a]);
    }
    const timeoutMs = this.#o.timeoutMs ?? 10_000;
    const res = await new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(cseq);
        reject(new ProtocolError(`RTSP ${method} ${uri}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(cseq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#write(serializeRequest(method, uri, h)).catch((err) => {
        clearTimeout(timer);
        this.#pending.delete(cseq);
        reject(err);
      });
    });
    if (res.status === 401 && retry && this.#user !== "") {
      this.#challenges = res.headers.getAll("www-authenticate");
      return this.#request(method, uri, headers, false);
    }
    if (res.status !== 200) {
      throw new ProtocolError(`RTSP ${method} ${uri} failed: ${res.status} ${res.reason}`);
    }
    return res;
  }

  close(reason = "closed"): void {
    if (this.#closed) return;
    if (this.#session && this.#conn) {
      // Best effort: polite servers free the session at once.
      this.#write(
        serializeRequest("TEARDOWN", this.#url, [["CSeq", String(++this.#cseq)], ["Session", this.#session]]),
      )
        .catch(() => {});
    }
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    const tail: Frame[] = [];
    for (const t of this.#tracks) {
      t.receiver.flush(tail);
      t.udp?.close();
    }
    for (const f of tail) this.#o.onFrame(f);
    setTimeout(() => {
      try {
        this.#conn?.close();
      } catch { /* already closed */ }
    }, 0);
    this.#o.log.info("rtsp client stop", { url: this.#url, reason });
    this.#resolveClosed(reason);
  }
}

/** Pulls an RTSP URL into the hub as `app/name`; the stream ends when the source does. */
export async function pullRtsp(o: {
  hub: Hub;
  url: string;
  app: string;
  name: string;
  log: Logger;
  transport?: "tcp" | "udp";
  timeoutMs?: number;
  caCerts?: string[];
}): Promise<{ stream: Stream; client: RtspClient }> {
  const stream = await o.hub.publish({
    role: "publisher",
    protocol: "rtsp",
    app: o.app,
    name: o.name,
    vhost: "",
    query: "",
    remote: o.url.replace(/\/\/[^@/]*@/, "//"),
  });
  const client = new RtspClient({
    url: o.url,
    log: o.log,
    transport: o.transport,
    timeoutMs: o.timeoutMs,
    caCerts: o.caCerts,
    onTrack: (t) => stream.setTrack(t),
    onFrame: (f) => stream.write(f),
  });
  client.closed.then((reason) => stream.end(`source closed: ${reason}`));
  stream.ended.then((reason) => client.close(`stream ended: ${reason}`));
  try {
    await client.start();
  } catch (err) {
    stream.end("source failed");
    throw err;
  }
  return { stream, client };
}
