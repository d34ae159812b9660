/**
 * Our RTMP client: connect + publish Frames, or connect + play them back as Frames. It speaks
 * Enhanced RTMP (`fourCcList` in connect, FourCC video/audio headers) so it can publish and play
 * HEVC, AV1 and Opus, and can also publish HEVC in the legacy form (codec id 12).
 * Tests and forwarding use it.
 */
import type { Frame } from "../../core/frame.ts";
import { dtsMs } from "../../core/frame.ts";
import { ProtocolError } from "../../core/errors.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { type Logger, nullLogger } from "../../log/mod.ts";
import {
  type AmfObject,
  type AmfValue,
  metaDataOf,
  parseScriptData,
  setDataFrameBody,
} from "../../formats/amf/mod.ts";
import {
  audioFrameHeader,
  audioSequenceBody,
  FlvDemuxer,
  type FlvVideoForm,
  metadataObject,
  videoFrameHeader,
  videoSequenceBody,
} from "../../formats/flv/mod.ts";
import { chunkMessage, type RtmpMessage } from "./chunk_stream.ts";
import { asObject, commandMessage, parseCommand } from "./commands.ts";
import { RtmpConnection } from "./connection.ts";
import { clientHello, clientResponse, HANDSHAKE_SIZE, writeAll } from "./handshake.ts";
import { Csid, MessageType } from "./messages.ts";
import { parseRtmpUrl, type RtmpUrl } from "./url.ts";

export interface RtmpClientOptions {
  /** Connect, handshake and each command's answer must come within this. Default 10 s. */
  timeoutMs?: number;
  /** Enhanced RTMP codecs we can receive (sent as `fourCcList`). Default: hvc1, av01, vp09, Opus. */
  fourCcList?: string[];
  /** Our outgoing chunk size. Default 4096. */
  chunkSize?: number;
  /** CA certificates (PEM) for rtmps:// with a private CA or a self-signed server. */
  caCerts?: string[];
  /** Our certificate and key (PEM) for rtmps:// to a server that asks for one (mutual TLS). */
  cert?: string;
  key?: string;
  /** Extra properties of the connect command (e.g. the forward chain). */
  connectProperties?: Record<string, AmfValue>;
  log?: Logger;
}

export interface PublishOptions {
  /** "legacy" sends HEVC with `hevcCodecId` (default 12); "enhanced" uses FourCC headers. */
  form?: FlvVideoForm;
  hevcCodecId?: number;
}

interface Pending {
  resolve: (v: AmfValue[]) => void;
  reject: (e: Error) => void;
}

const MAX_QUEUED_FRAMES = 10_000;

export class RtmpClient {
  readonly url: RtmpUrl;
  #rc: RtmpConnection;
  #opts: RtmpClientOptions;
  #txn = 1;
  #pending = new Map<number, Pending>();
  #statuses: string[] = [];
  #status: (() => void) | undefined;
  #streamId = 0;
  #runDone: Promise<string>;
  // publishing
  #form: FlvVideoForm = "enhanced";
  #hevcCodecId = 12;
  #video: VideoTrack | undefined;
  #audio: AudioTrack | undefined;
  // playing
  #demux: FlvDemuxer | undefined;
  #frames: Frame[] = [];
  #wake: (() => void) | undefined;
  /** The form of the last video message played ("enhanced" when it had an ExVideoTagHeader). */
  videoForm: FlvVideoForm | undefined;
  /** onMetaData received while playing. */
  metadata: AmfObject | undefined;
  /** Every onStatus code received, in order (for tests and diagnostics). */
  readonly statusCodes: string[] = [];
  /** The FourCCs the server listed in connect's _result: it speaks Enhanced RTMP when not empty. */
  readonly serverFourCcs = new Set<string>();

  private constructor(url: RtmpUrl, conn: Deno.Conn, opts: RtmpClientOptions) {
    this.url = url;
    this.#opts = opts;
    this.#rc = new RtmpConnection(conn, { log: opts.log ?? nullLogger, onMessage: this.#onMessage });
    this.#runDone = Promise.resolve("");
  }

  /** Connects, handshakes and sends `connect`; throws when the server rejects it. */
  static async connect(url: string, opts: RtmpClientOptions = {}): Promise<RtmpClient> {
    const u = parseRtmpUrl(url);
    return await RtmpClient.connectTo(u, { hostname: u.host, port: u.port }, opts);
  }

  /**
   * Like `connect`, but to `addr` instead of the URL's host and port (a forward target: the URL is
   * what the server is told, the address where it is).
   */
  static async connectTo(
    u: RtmpUrl,
    addr: { hostname: string; port: number },
    opts: RtmpClientOptions = {},
  ): Promise<RtmpClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const mtls = opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {};
    // TLS verifies the certificate against the address we connect to.
    const connecting = u.tls
      ? Deno.connectTls({ ...addr, caCerts: opts.caCerts, ...mtls })
      : Deno.connect(addr);
    let timedOut = false;
    // A connect that completes after the timeout must not leak its socket.
    connecting.then((c) => timedOut && c.close(), () => {});
    const conn = await withTimeout<Deno.Conn>(
      connecting,
      timeoutMs,
      `connect to ${addr.hostname}:${addr.port}`,
    ).catch((err) => {
      timedOut = true;
      throw err;
    });
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    const client = new RtmpClient(u, conn, opts);
    try {
      const rest = await withTimeout(handshake(conn), timeoutMs, "RTMP handshake");
      client.#runDone = client.#rc.run(rest).then((reason) => {
        client.#failAll(new Error(`connection closed: ${reason}`));
        return reason;
      });
      await client.#connect();
    } catch (err) {
      client.close();
      await client.#runDone;
      throw err;
    }
    return client;
  }

  get closed(): boolean {
    return this.#rc.closed;
  }

  /** Resolves with the reason when the connection ends. */
  get done(): Promise<string> {
    return this.#runDone;
  }

  get bytesIn(): number {
    return this.#rc.bytesIn;
  }

  get bytesOut(): number {
    return this.#rc.bytesOut;
  }

  async #connect() {
    const fourCcList = this.#opts.fourCcList ?? ["hvc1", "av01", "vp09", "Opus"];
    this.#rc.setChunkSize(this.#opts.chunkSize ?? 4096);
    const [props, info] = await this.#call("connect", {
      app: this.url.connectApp,
      type: "nonprivate",
      flashVer: "FMLE/3.0 (compatible; Estuary)",
      tcUrl: this.url.tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
      objectEncoding: 0,
      fourCcList,
      ...this.#opts.connectProperties,
    });
    const list = props && typeof props === "object" && !Array.isArray(props)
      ? (props as AmfObject).fourCcList
      : undefined;
    if (Array.isArray(list)) { for (const v of list) if (typeof v === "string") this.serverFourCcs.add(v); }
    const code = String(asObject(info).code ?? "");
    if (code !== "NetConnection.Connect.Success") throw new Error(`RTMP connect failed: ${code}`);
  }

  /** createStream + publish; resolves on NetStream.Publish.Start, throws on any other status. */
  async publish(opts: PublishOptions = {}): Promise<void> {
    this.#form = opts.form ?? "enhanced";
    this.#hevcCodecId = opts.hevcCodecId ?? 12;
    const name = this.url.streamName;
    this.#rc.send(this.#command(0, ["releaseStream", this.#txn++, null, name]));
    this.#rc.send(this.#command(0, ["FCPublish", this.#txn++, null, name]));
    await this.#createStream();
    this.#statuses = [];
    this.#rc.send(this.#command(this.#streamId, ["publish", 0, null, name, "live"]));
    const code = await this.#nextStatus();
    if (code !== "NetStream.Publish.Start") throw new Error(`RTMP publish refused: ${code}`);
  }

  /** createStream + play; resolves on NetStream.Play.Start, throws on an error status. */
  async play(): Promise<void> {
    this.#demux = new FlvDemuxer();
    await this.#createStream();
    this.#statuses = [];
    this.#rc.send(this.#command(this.#streamId, ["play", 0, null, this.url.streamName, -1000]));
    let code = await this.#nextStatus();
    if (code === "NetStream.Play.Reset") code = await this.#nextStatus();
    if (code !== "NetStream.Play.Start") throw new Error(`RTMP play refused: ${code}`);
  }

  async #createStream() {
    const [, id] = await this.#call("createStream", null);
    if (typeof id !== "number") {
      throw new ProtocolError(`RTMP createStream answer ${id} is invalid: must be a number`);
    }
    this.#streamId = id;
  }

  /** Sends `@setDataFrame onMetaData` built from the tracks plus `extra`. */
  setMetadata(video?: VideoTrack, audio?: AudioTrack, extra: Record<string, AmfValue> = {}): Promise<void> {
    const meta = {
      ...metadataObject(video, audio, { form: this.#form, hevcCodecId: this.#hevcCodecId }),
      ...extra,
    };
    return this.#rc.send(this.#message(Csid.data, MessageType.dataAmf0, 0, setDataFrameBody(meta)));
  }

  /** Publishes one frame (and the sequence header first when its track is new). */
  write(frame: Frame): Promise<void> {
    const ms = dtsMs(frame);
    const opts = { hevcCodecId: this.#hevcCodecId };
    if (frame.track.kind === "video") {
      if (frame.track !== this.#video) {
        this.#video = frame.track;
        this.#rc.send(
          this.#message(Csid.video, MessageType.video, ms, videoSequenceBody(frame.track, this.#form, opts)),
        );
      }
      const head = videoFrameHeader(frame, this.#form, opts);
      return this.#rc.send(this.#message(Csid.video, MessageType.video, ms, [head, frame.data]));
    }
    if (frame.track !== this.#audio) {
      this.#audio = frame.track;
      const seq = audioSequenceBody(frame.track);
      if (seq) this.#rc.send(this.#message(Csid.audio, MessageType.audio, ms, seq));
    }
    return this.#rc.send(
      this.#message(Csid.audio, MessageType.audio, ms, [audioFrameHeader(frame), frame.data]),
    );
  }

  /** Played frames, until the connection ends (or `close`). */
  async *frames(): AsyncGenerator<Frame> {
    for (;;) {
      if (this.#frames.length > 0) {
        const batch = this.#frames;
        this.#frames = [];
        yield* batch;
        continue;
      }
      if (this.#rc.closed) return;
      await new Promise<void>((r) => this.#wake = r);
    }
  }

  /** FCUnpublish + deleteStream (publisher) or deleteStream (player), then closes. */
  async stop(): Promise<void> {
    if (this.#rc.closed) return;
    if (this.#video || this.#audio) {
      this.#rc.send(this.#command(0, ["FCUnpublish", this.#txn++, null, this.url.streamName]));
    }
    if (this.#streamId) this.#rc.send(this.#command(0, ["deleteStream", this.#txn++, null, this.#streamId]));
    await this.#rc.flush();
    this.close();
    await this.#runDone;
  }

  close(): void {
    this.#rc.close("closed by client");
    this.#wake?.();
  }

  #message(csid: number, type: number, ms: number, payload: Uint8Array | Uint8Array[]): Uint8Array {
    return chunkMessage({ csid, type, streamId: this.#streamId, timestamp: ms, payload }, {
      chunkSize: this.#rc.chunkSize,
    });
  }

  #command(streamId: number, values: AmfValue[]): Uint8Array {
    return commandMessage(this.#rc, streamId, values);
  }

  #call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<AmfValue[]> {
    const txn = this.#txn++;
    const p = new Promise<AmfValue[]>((resolve, reject) => this.#pending.set(txn, { resolve, reject }));
    this.#rc.send(this.#command(0, [name, txn, object, ...args]));
    return withTimeout(p, this.#opts.timeoutMs ?? 10_000, `RTMP ${name} answer`);
  }

  /** The next onStatus code (statuses are queued: several may arrive in one read). */
  async #nextStatus(): Promise<string> {
    if (this.#statuses.length === 0) {
      const p = new Promise<void>((resolve) => this.#status = resolve);
      await withTimeout(p, this.#opts.timeoutMs ?? 10_000, "RTMP onStatus");
    }
    return this.#statuses.shift()!;
  }

  #failAll(err: Error) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#wake?.();
  }

  #onMessage = (m: RtmpMessage): void => {
    switch (m.type) {
      case MessageType.commandAmf0:
      case MessageType.commandAmf3:
        return this.#onCommand(m);
      case MessageType.video:
      case MessageType.audio: {
        if (!this.#demux || m.payload.byteLength === 0) return;
        if (m.type === MessageType.video) this.videoForm = m.payload[0] & 0x80 ? "enhanced" : "legacy";
        const f = m.type === MessageType.video
          ? this.#demux.video(m.payload, m.timestamp)
          : this.#demux.audio(m.payload, m.timestamp);
        if (!f) return;
        if (this.#frames.length >= MAX_QUEUED_FRAMES) this.#frames.shift();
        this.#frames.push(f);
        const w = this.#wake;
        this.#wake = undefined;
        w?.();
        return;
      }
      case MessageType.dataAmf0:
      case MessageType.dataAmf3: {
        const meta = metaDataOf(parseScriptData(m.payload, { amf3: m.type === MessageType.dataAmf3 }));
        if (meta) this.metadata = meta;
      }
    }
  };

  #onCommand(m: RtmpMessage) {
    const c = parseCommand(m);
    if (c.name === "_result" || c.name === "_error") {
      const p = this.#pending.get(c.transactionId);
      if (!p) return;
      this.#pending.delete(c.transactionId);
      if (c.name === "_result") p.resolve([c.object, ...c.args]);
      else p.reject(new Error(`RTMP command failed: ${String(asObject(c.args[0]).code ?? "_error")}`));
      return;
    }
    if (c.name === "onStatus") {
      const code = String(asObject(c.args[0]).code ?? "");
      this.statusCodes.push(code);
      this.#statuses.push(code);
      const s = this.#status;
      this.#status = undefined;
      s?.();
    }
  }
}

async function handshake(conn: Deno.Conn): Promise<Uint8Array> {
  const hello = clientHello(true);
  await writeAll(conn, hello.bytes);
  const buf = new Uint8Array(16 * 1024);
  let have = 0;
  const total = 1 + 2 * HANDSHAKE_SIZE;
  while (have < total) {
    const n = await conn.read(buf.subarray(have));
    if (n === null) {
      throw new ProtocolError(`RTMP handshake truncated: server closed after ${have} of ${total} bytes`);
    }
    have += n;
  }
  if (buf[0] !== 3) throw new ProtocolError(`RTMP version ${buf[0]} in S0 is not supported: must be 3`);
  const s1 = buf.subarray(1, 1 + HANDSHAKE_SIZE);
  const s2 = buf.subarray(1 + HANDSHAKE_SIZE, total);
  await writeAll(conn, clientResponse(hello, s1, s2).c2);
  return buf.slice(total, have);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
