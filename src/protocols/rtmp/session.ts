/**
 * One server-side RTMP connection: handshake (with a deadline), then NetConnection/NetStream
 * commands → hub admission → publishing (Ingest) or playing (a Fanout subscriber).
 * Whatever goes wrong ends this session only, with one log line.
 */
import { ProtocolError } from "../../core/errors.ts";
import type { FanoutOptions } from "../../core/fanout.ts";
import type { AdmissionRequest, Hub } from "../../core/hub.ts";
import { RELAY_PLAYER, type Stream } from "../../core/stream.ts";
import type { Logger } from "../../log/mod.ts";
import type { AacViewSettings } from "../../transcode/mod.ts";
import type { RtmpMessage } from "./chunk_stream.ts";
import {
  asObject,
  type Command,
  commandMessage,
  connectResultMessage,
  errorMessage,
  onStatusMessage,
  parseCommand,
  resultMessage,
  Status,
  statusObject,
} from "./commands.ts";
import { describe, RtmpConnection } from "./connection.ts";
import { acceptHandshake } from "./handshake.ts";
import { Ingest } from "./ingest.ts";
import {
  LimitType,
  MessageType,
  setPeerBandwidthMessage,
  UserControl,
  userControlMessage,
  windowAckSizeMessage,
} from "./messages.ts";
import { chooseForm, clientFourCcs, Playback } from "./output.ts";
import { PLAY_STREAM_ID } from "./muxer.ts";
import { rtmpRefusal } from "./refusals.ts";
import { connectTarget, mergeQuery, splitQuery } from "./url.ts";
import { RELAY_PROPERTY, viaOf } from "./via.ts";

/**
 * Shared by every session of a server and edited in place by a reload: each value is read when it
 * is used (chunk size at connect, waits at play, the fan-out options at every flush).
 */
export interface SessionOptions {
  hub: Hub;
  chunkSize: number;
  hevcCodecId: number;
  notFound: "wait" | "reject";
  playWaitMs: number;
  /** Handshake → connect; 0 = none. */
  handshakeTimeoutMs: number;
  /** connect → publish or play; 0 = none. */
  startTimeoutMs: number;
  maxMessageLength: number;
  fmt3ExtTime: boolean;
  windowAckSize: number;
  pingIntervalMs: number;
  fanout: FanoutOptions;
  /** See RtmpServerOptions.relaySecret. */
  relaySecret?: string;
  /** Opus → AAC for players without Enhanced RTMP Opus; null = off (they get the Opus as it is). */
  aac: AacViewSettings;
}

/** The Enhanced RTMP codecs we accept and can send back (answered in connect's _result). */
const SERVER_FOURCCS = ["avc1", "hvc1", "av01", "vp09", "vp08", "Opus", "mp4a", ".mp3"];

export class RtmpSession {
  readonly remote: string;
  readonly startedAt = Date.now();
  #raw: Deno.Conn;
  #opts: SessionOptions;
  #log: Logger;
  #rc: RtmpConnection | undefined;
  /** Handshake bytes (the connection counts the rest). */
  readonly #hs = { bytesIn: 0, bytesOut: 0 };
  #deadline: ReturnType<typeof setTimeout> | undefined;
  /** Why the deadline ended the session, once it has. */
  #timedOut = "";
  #connected = false;
  #app = "";
  #vhost = "";
  #appQuery = "";
  /** The forward chain the peer sent in connect (a forwarding server), checked by the hub at publish. */
  #via: string[] = [];
  /** What its plays are admitted and counted as: "rtmp", or RELAY_PLAYER for a sibling worker's relay. */
  #playerProtocol = "rtmp";

  /** A sibling worker's relay (it named itself with the workers' secret). */
  get relay(): boolean {
    return this.#playerProtocol === RELAY_PLAYER;
  }
  #fourCcs = new Set<string>();
  #ingest: Ingest | undefined;
  #player: Playback | undefined;
  #playWait: AbortController | undefined;
  role: "" | "publisher" | "player" = "";
  key = "";

  constructor(conn: Deno.Conn, opts: SessionOptions, log: Logger) {
    this.#raw = conn;
    this.#opts = opts;
    const a = conn.remoteAddr as Deno.NetAddr;
    this.remote = a.hostname ? `${a.hostname}:${a.port}` : "?";
    this.#log = log;
  }

  get bytesIn(): number {
    return this.#hs.bytesIn + (this.#rc?.bytesIn ?? 0);
  }
  get bytesOut(): number {
    return this.#hs.bytesOut + (this.#rc?.bytesOut ?? 0);
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    this.#log.info("rtmp session start", { remote: this.remote });
    let reason: string;
    const hsMs = this.#opts.handshakeTimeoutMs;
    this.#arm(hsMs, () => `no ${this.#rc ? "connect command" : "complete handshake"} within ${hsMs} ms`);
    try {
      const hs = await acceptHandshake(this.#raw, this.#hs);
      this.#log.debug("rtmp handshake", { kind: hs.kind, schema: hs.schema });
      this.#rc = new RtmpConnection(this.#raw, {
        log: this.#log,
        maxMessageLength: this.#opts.maxMessageLength,
        onMessage: this.#onMessage,
        pingIntervalMs: this.#opts.pingIntervalMs,
        directSend: true,
      });
      reason = await this.#rc.run(hs.rest);
    } catch (err) {
      reason = describe(err);
      this.close(reason);
    }
    if (this.#timedOut) reason = this.#timedOut;
    clearTimeout(this.#deadline);
    this.#cleanup(reason);
    const fields: Record<string, unknown> = {
      reason,
      role: this.role || undefined,
      key: this.key || undefined,
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
      duration_s: Math.round((Date.now() - this.startedAt) / 100) / 10,
    };
    if (this.role === "publisher") fields.media_messages = this.#ingest?.messages;
    if (this.role === "player") fields.drops = this.#player?.drops;
    this.#log.info("rtmp session stop", fields);
  }

  /**
   * One deadline at a time for the phase under way (a session that stops talking is not kept):
   * `why` is built when it fires and becomes the session's stop reason.
   */
  #arm(ms: number, why: () => string) {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
    if (ms <= 0) return;
    this.#deadline = setTimeout(() => {
      this.#timedOut = why();
      this.close(this.#timedOut);
    }, ms);
  }

  /** Ends the session (server stop, idle stream, errors). */
  close(reason: string): void {
    if (this.#rc) this.#rc.close(reason);
    else {
      try {
        this.#raw.close();
      } catch { /* already closed */ }
    }
  }

  #onMessage = (m: RtmpMessage): void | Promise<void> => {
    switch (m.type) {
      case MessageType.commandAmf0:
      case MessageType.commandAmf3:
        return this.#command(parseCommand(m));
      case MessageType.audio:
      case MessageType.video:
      case MessageType.dataAmf0:
      case MessageType.dataAmf3:
      case MessageType.aggregate:
        this.#ingest?.message(m);
    }
  };

  #command(c: Command): void | Promise<void> {
    if (c.name !== "connect" && !this.#connected) {
      throw new ProtocolError(`RTMP command "${c.name}" before connect is invalid: connect must come first`);
    }
    switch (c.name) {
      case "connect":
        return this.#connect(c);
      case "createStream":
        // Always stream 1: play bytes carry the message stream id and are shared by all players.
        this.#send(resultMessage(this.#rc!, c.transactionId, null, PLAY_STREAM_ID));
        return;
      case "releaseStream":
      case "getStreamLength":
      case "_checkbw":
        if (c.transactionId > 0) this.#send(resultMessage(this.#rc!, c.transactionId, null, undefined));
        return;
      case "FCPublish":
        this.#send(commandMessage(this.#rc!, 0, ["onFCPublish", 0, null, {
          code: Status.publishStart,
          description: String(c.args[0] ?? ""),
        }]));
        if (c.transactionId > 0) this.#send(resultMessage(this.#rc!, c.transactionId, null, undefined));
        return;
      case "publish":
        clearTimeout(this.#deadline);
        return this.#publish(c);
      case "play":
      case "play2":
        // A play may then wait for its publisher: that wait has its own limit (playwait).
        clearTimeout(this.#deadline);
        // Not awaited: a play may wait for its publisher while we keep reading.
        this.#play(c).catch((err) => this.close(describe(err)));
        return;
      case "FCUnpublish":
        this.#send(commandMessage(this.#rc!, 0, ["onFCUnpublish", 0, null, {
          code: Status.unpublishSuccess,
          description: String(c.args[0] ?? ""),
        }]));
        if (this.#ingest) {
          const desc = `${this.key} is now unpublished.`;
          this.#send(onStatusMessage(this.#rc!, 1, "status", Status.unpublishSuccess, desc));
        }
        this.#unpublish("unpublished (FCUnpublish)");
        if (c.transactionId > 0) this.#send(resultMessage(this.#rc!, c.transactionId, null, undefined));
        return;
      case "deleteStream":
      case "closeStream":
        this.#unpublish(`unpublished (${c.name})`);
        this.#stopPlay(`player sent ${c.name}`);
        return;
      default:
        this.#log.debug("rtmp command ignored", { name: c.name });
    }
  }

  #send(bytes: Uint8Array): void {
    this.#rc?.send(bytes);
  }

  #connect(c: Command): void {
    if (this.#connected) return;
    const o = asObject(c.object);
    const t = connectTarget(String(o.app ?? ""), String(o.tcUrl ?? ""));
    const rc = this.#rc!;
    try {
      this.#opts.hub.checkApp(t.app, "_");
    } catch (err) {
      const code = rtmpRefusal(err, "connect");
      if (!code) throw err;
      const message = (err as Error).message;
      this.#send(errorMessage(rc, c.transactionId, statusObject("error", code, message)));
      this.#rc!.closeAfterFlush(`connect rejected: ${message}`);
      return;
    }
    const startMs = this.#opts.startTimeoutMs;
    this.#arm(startMs, () => `no publish or play within ${startMs} ms of connect`);
    this.#connected = true;
    this.#app = t.app;
    this.#vhost = t.vhost;
    this.#appQuery = t.query;
    this.#fourCcs = clientFourCcs(o);
    this.#via = viaOf(o);
    const secret = this.#opts.relaySecret;
    if (secret && o[RELAY_PROPERTY] === secret) this.#playerProtocol = RELAY_PLAYER;
    const objectEncoding = typeof o.objectEncoding === "number" ? o.objectEncoding : 0;
    this.#send(windowAckSizeMessage(this.#opts.windowAckSize));
    this.#send(setPeerBandwidthMessage(this.#opts.windowAckSize, LimitType.dynamic));
    rc.setChunkSize(this.#opts.chunkSize);
    const fourCcList = this.#fourCcs.size > 0 ? SERVER_FOURCCS : undefined;
    this.#send(connectResultMessage(rc, c.transactionId, { objectEncoding, fourCcList }));
  }

  #request(role: "publisher" | "player", raw: string): AdmissionRequest {
    const { name, query } = splitQuery(raw);
    return {
      role,
      protocol: role === "player" ? this.#playerProtocol : "rtmp",
      app: this.#app,
      name,
      vhost: this.#vhost,
      query: mergeQuery(this.#appQuery, query),
      remote: this.remote,
      via: this.#via,
    };
  }

  async #publish(c: Command): Promise<void> {
    const rc = this.#rc!;
    const sid = c.streamId || PLAY_STREAM_ID;
    const req = this.#request("publisher", String(c.args[0] ?? ""));
    const fail = (code: string, err: Error) => {
      this.#send(onStatusMessage(rc, sid, "error", code, err.message));
      this.#rc!.closeAfterFlush(`publish refused: ${err.message}`);
    };
    if (this.#ingest || (this.#player && !this.#player.stopped) || this.#playWait) {
      return fail(Status.publishBadName, new Error("this connection is already publishing or playing"));
    }
    let stream: Stream;
    try {
      stream = await this.#opts.hub.publish(req);
    } catch (err) {
      const code = rtmpRefusal(err, "publish");
      if (!code) throw err;
      return fail(code, err as Error);
    }
    if (rc.closed) {
      stream.end("publisher left during admission");
      return;
    }
    this.role = "publisher";
    this.key = stream.key;
    this.#ingest = new Ingest(stream, { hevcCodecId: this.#opts.hevcCodecId });
    // The hub may end the stream (maxidle, server stop): the publisher's connection goes with it.
    stream.ended.then((why) => {
      if (this.#ingest?.stream === stream) this.close(`stream ended: ${why}`);
    });
    this.#send(userControlMessage(UserControl.streamBegin, sid));
    this.#send(onStatusMessage(rc, sid, "status", Status.publishStart, `${req.name} is now published.`, {
      details: req.name,
    }));
  }

  #unpublish(why: string) {
    const ingest = this.#ingest;
    if (!ingest) return;
    this.#ingest = undefined;
    ingest.stream.end(why);
  }

  async #play(c: Command): Promise<void> {
    const rc = this.#rc!;
    const first = c.args[0];
    // play2 passes an object with streamName; play's start/duration/reset args are ignored (live only).
    const raw = typeof first === "string" ? first : String(asObject(first).streamName ?? "");
    const req = this.#request("player", raw);
    if (this.#ingest || (this.#player && !this.#player.stopped) || this.#playWait) return;
    const wait = new AbortController();
    this.#playWait = wait;
    let stream: Stream;
    try {
      const waitMs = this.#opts.notFound === "wait" ? this.#opts.playWaitMs : 0;
      stream = await this.#opts.hub.play(req, { waitMs, signal: wait.signal });
    } catch (err) {
      if (rc.closed) return;
      const e = err as Error;
      const code = rtmpRefusal(err, "play");
      if (code) this.#send(onStatusMessage(rc, PLAY_STREAM_ID, "error", code, e.message));
      this.#rc!.closeAfterFlush(`play refused: ${e.message}`);
      return;
    } finally {
      this.#playWait = undefined;
    }
    if (rc.closed) return;
    this.role = "player";
    this.key = stream.key;
    const form = chooseForm(this.#fourCcs, stream.videoTrack);
    this.#log.debug("rtmp play", { key: stream.key, form });
    this.#player = new Playback(rc, stream, {
      name: req.name,
      protocol: this.#playerProtocol,
      form,
      hevcCodecId: this.#opts.hevcCodecId,
      fmt3ExtTime: this.#opts.fmt3ExtTime,
      fanout: this.#opts.fanout,
      opus: this.#fourCcs.has("Opus") || this.#fourCcs.has("*"),
      aac: this.#opts.aac,
      log: this.#log,
    });
  }

  #stopPlay(why: string) {
    this.#playWait?.abort();
    this.#player?.stop(why);
  }

  #cleanup(reason: string) {
    this.#unpublish(`publisher gone: ${reason}`);
    this.#stopPlay(reason);
  }
}
