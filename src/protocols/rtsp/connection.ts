/**
 * One RTSP connection: reads requests and interleaved frames (pipelined, mixed), answers them in
 * order, and owns at most one session (play or record). Bad input ends this connection only.
 */
import type { SessionInfo } from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { MediaInfo, UnsupportedMedia } from "../../formats/sdp/mod.ts";
import { readAnnouncement } from "./announce.ts";
import { newSessionId, type RtspContext, SERVER_NAME, sessionIdOf } from "./context.ts";
import { describedTracks, streamSdp, waitForTracks } from "./describe.ts";
import { idleReason } from "./idle.ts";
import { RtspError, type RtspItem, RtspParser, type RtspRequest, serializeResponse } from "./message.ts";
import { type DescribedTrack, PlaySession } from "./play_session.ts";
import { RecordSession } from "./record_session.ts";
import { formatTransport, parseTransport } from "./transport.ts";
import { admissionOf, contentBase, parseRtspUrl, type RtspTarget } from "./url.ts";
import { errorReply, type Reply, trackIndex } from "./reply.ts";
import type { Stream } from "../../core/stream.ts";
import { RtspWriter } from "./conn_writer.ts";

const METHODS =
  "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

/** What an ANNOUNCE left for the SETUPs and RECORD that follow. */
interface Announced {
  target: RtspTarget;
  base: string;
  stream: Stream;
  medias: (MediaInfo | UnsupportedMedia)[];
}

export class RtspConnection {
  readonly #conn: Deno.Conn;
  readonly #ctx: RtspContext;
  readonly #log: Logger;
  readonly #remote: string;
  readonly #local: string;
  #parser = new RtspParser();
  #session: PlaySession | RecordSession | undefined;
  #described: { target: RtspTarget; stream: Stream; tracks: DescribedTrack[] } | undefined;
  #announced: Announced | undefined;
  #lastRequest = Date.now();
  /** Since when a request (or the first one) has been awaited in part; undefined when none is. */
  #partialSince: number | undefined = Date.now();
  /** Aborts a DESCRIBE still waiting for its publisher when the client leaves. */
  #abort = new AbortController();
  #closed = false;
  #closeReason = "";
  #unknownChannelLogged = false;
  #bytesIn = 0;
  readonly #out: RtspWriter;
  readonly #startedAt = Date.now();

  constructor(conn: Deno.Conn, ctx: RtspContext, log: Logger) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#log = log;
    this.#remote = (conn.remoteAddr as Deno.NetAddr).hostname;
    this.#local = (conn.localAddr as Deno.NetAddr).hostname;
    this.#out = new RtspWriter(conn, ctx.totals, () => this.#closed);
  }

  get session(): PlaySession | RecordSession | undefined {
    return this.#session;
  }

  /** For the sessions registry: what this connection does now and what it has moved. */
  view(): Omit<SessionInfo, "id" | "protocol"> {
    const s = this.#session;
    const a = this.#conn.remoteAddr as Deno.NetAddr;
    return {
      role: s?.mode === "record" ? "publisher" : s?.mode === "play" ? "player" : "idle",
      stream: s?.stream.key,
      remote: `${a.hostname}:${a.port}`,
      startedAt: this.#startedAt,
      bytesIn: this.#bytesIn,
      bytesOut: this.#out.bytesOut,
    };
  }

  async run(): Promise<void> {
    this.#log.info("rtsp connect", { remote: this.#remote });
    // Always armed: a reload may set the idle limit (0 = never) while this connection runs.
    const timer = setInterval(() => this.#checkIdle(), 1000);
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed) {
        const n = await this.#conn.read(buf);
        if (n === null) {
          this.#closeReason ||= "peer closed";
          break;
        }
        this.#bytesIn += n;
        this.#parser.push(buf.subarray(0, n));
        let item: RtspItem | undefined;
        while (!this.#closed && (item = this.#parser.next())) {
          // Complete: whatever its handling awaits (a DESCRIBE waiting for its publisher) is not
          // the client's delay.
          this.#partialSince = undefined;
          if (item.type === "data") this.#onData(item.channel, item.payload);
          else if (item.type === "request") await this.#onRequest(item.request);
          // responses from a client (to our nothing) are ignored
        }
        if (this.#parser.buffered > 0) this.#partialSince ??= Date.now();
      }
    } catch (err) {
      if (err instanceof RtspError) {
        this.#log.warn("rtsp bad request", { error: err.message });
        await this.#out.write(serializeResponse(err.status, [["Server", SERVER_NAME]])).catch(() => {});
        this.#closeReason = err.message;
      } else if (!this.#closed) {
        this.#closeReason = (err as Error)?.message ?? String(err);
      }
    } finally {
      clearInterval(timer);
      this.close(this.#closeReason || "closed");
    }
  }

  #onData(channel: number, payload: Uint8Array): void {
    this.#ctx.totals.bytesIn += 4 + payload.length;
    const ok = this.#session?.onInterleaved(channel, payload) ?? false;
    if (!ok && !this.#unknownChannelLogged) {
      this.#unknownChannelLogged = true;
      this.#log.warn("rtsp interleaved frame for an unknown channel dropped", { channel });
    }
  }

  async #onRequest(req: RtspRequest): Promise<void> {
    this.#lastRequest = Date.now();
    if (this.#session?.mode === "play") this.#session.lastActivity = this.#lastRequest;
    const cseq = req.headers.get("cseq");
    const base: [string, string][] = [];
    if (cseq === undefined) {
      await this.#out.write(
        serializeResponse(400, [["Server", SERVER_NAME]], "CSeq header is missing\n", "Bad Request"),
      );
      return;
    }
    base.push(["CSeq", cseq], ["Server", SERVER_NAME]);
    let reply: Reply | undefined;
    try {
      if (
        req.method !== "OPTIONS" && this.#ctx.auth &&
        !this.#ctx.auth.verify(req.method, req.headers.get("authorization"))
      ) {
        reply = { status: 401, headers: this.#ctx.auth.challenge() };
      } else {
        reply = await this.#dispatch(req, base);
      }
    } catch (err) {
      reply = errorReply(this.#log, req, err);
    }
    if (reply === undefined) return; // already written (PLAY over TCP)
    const headers = [...base, ...(reply.headers ?? [])];
    if (this.#session && !headers.some(([k]) => k === "Session")) headers.push(["Session", this.#session.id]);
    if (reply.body !== undefined && reply.contentType) headers.push(["Content-Type", reply.contentType]);
    await this.#out.write(serializeResponse(reply.status, headers, reply.body, reply.reason));
  }

  #dispatch(req: RtspRequest, base: [string, string][]): Promise<Reply | undefined> | Reply | undefined {
    switch (req.method) {
      case "OPTIONS":
        return { status: 200, headers: [["Public", METHODS]] };
      case "DESCRIBE":
        return this.#describe(req);
      case "ANNOUNCE":
        return this.#announce(req);
      case "SETUP":
        return this.#setup(req);
      case "PLAY":
        return this.#play(req, base);
      case "RECORD":
        return this.#record(req);
      case "PAUSE":
        this.#checkSession(req);
        if (this.#session?.mode === "play") this.#session.pause();
        return { status: 200 };
      case "TEARDOWN":
        this.#checkSession(req);
        this.#endSession("teardown");
        return { status: 200 };
      case "GET_PARAMETER":
      case "SET_PARAMETER":
        if (req.headers.has("session")) this.#checkSession(req);
        return { status: 200 };
      default:
        return { status: 501, headers: [["Public", METHODS]] };
    }
  }

  /** A Session header must name our session (454 otherwise). */
  #checkSession(req: RtspRequest): void {
    const id = sessionIdOf(req.headers.get("session"));
    if (!this.#session || id !== this.#session.id) {
      throw new RtspError(454, `RTSP session "${id ?? ""}" is not found`);
    }
  }

  async #describe(req: RtspRequest): Promise<Reply> {
    const target = parseRtspUrl(req.uri);
    const stream = await this.#ctx.hub.play(admissionOf(target, "player", this.#remote), {
      waitMs: this.#ctx.playWaitMs,
      signal: this.#abort.signal,
    });
    await waitForTracks(stream, this.#ctx.playWaitMs, this.#abort.signal);
    const tracks = describedTracks(stream, this.#ctx.payloadTypes);
    if (tracks.length === 0) {
      const codecs = stream.tracks.map((t) => t.codec).join(", ") || "none yet";
      throw new RtspError(415, `stream ${stream.key} has no track RTSP can carry (tracks: ${codecs})`);
    }
    if (tracks.length < stream.tracks.length) {
      const skipped = stream.tracks.filter((t) => !tracks.some((d) => d.track === t)).map((t) => t.codec);
      this.#log.info("rtsp play without tracks RTP cannot carry here", { key: stream.key, skipped });
    }
    this.#described = { target, stream, tracks };
    const host = this.#ctx.natHost ?? this.#local;
    return {
      status: 200,
      headers: [["Content-Base", contentBase(target)]],
      body: streamSdp({ stream, tracks, host }),
      contentType: "application/sdp",
    };
  }

  async #announce(req: RtspRequest): Promise<Reply> {
    if (this.#session) throw new RtspError(455, "RTSP ANNOUNCE on a connection that already has a session");
    const target = parseRtspUrl(req.uri);
    const { medias, kinds } = readAnnouncement(req);
    this.#announced?.stream.end("re-announced");
    const stream = await this.#ctx.hub.publish(admissionOf(target, "publisher", this.#remote));
    stream.expectTracks(kinds);
    const base = req.headers.get("content-base") ?? req.uri;
    this.#announced = { target, base, stream, medias };
    for (const m of medias) {
      if ("unsupported" in m) {
        this.#log.warn("rtsp announced media ignored", { key: stream.key, why: m.unsupported });
      }
    }
    stream.ended.then((reason) => {
      if (this.#session?.mode === "record" && this.#session.stream === stream) {
        this.close(`stream ended: ${reason}`);
      }
    });
    return { status: 200 };
  }

  #setup(req: RtspRequest): Reply {
    const header = req.headers.get("transport");
    if (!header) throw new RtspError(461, "RTSP SETUP without a Transport header");
    const offers = parseTransport(header);
    if (req.headers.get("session") !== undefined) this.#checkSession(req); // the first SETUP names none
    const wantsRecord = offers.some((o) => o.mode === "record" || o.mode === "receive");
    let reply;
    if (this.#announced && (wantsRecord || this.#session?.mode === "record" || !this.#described)) {
      const a = this.#announced;
      const index = trackIndex(req.uri, a.base, a.medias.map((m) => m.control));
      if (this.#session?.mode === "play") throw new RtspError(455, "RTSP SETUP for RECORD in a play session");
      const session = this.#session as RecordSession | undefined ?? this.#newRecordSession(a);
      reply = session.setup(index, offers);
    } else if (this.#described) {
      const d = this.#described;
      const target = parseRtspUrl(req.uri);
      if (target.app !== d.target.app || target.name !== d.target.name) {
        throw new RtspError(
          404,
          `RTSP SETUP for ${target.app}/${target.name} after DESCRIBE of ${d.target.app}/${d.target.name}`,
        );
      }
      const index = trackIndex(req.uri, contentBase(d.target), d.tracks.map((t) => t.control));
      if (this.#session?.mode === "record") {
        throw new RtspError(455, "RTSP SETUP for PLAY in a record session");
      }
      const session = this.#session as PlaySession | undefined ?? this.#newPlaySession(d);
      reply = session.setup(index, req.uri, offers);
    } else {
      throw new RtspError(455, "RTSP SETUP before DESCRIBE or ANNOUNCE is not valid");
    }
    const timeout = Math.max(1, Math.ceil((this.#ctx.maxIdleMs || 60_000) / 1000));
    return {
      status: 200,
      headers: [["Transport", formatTransport(reply)], [
        "Session",
        `${this.#session!.id};timeout=${timeout}`,
      ]],
    };
  }

  #newRecordSession(a: Announced): RecordSession {
    const s = new RecordSession({
      id: newSessionId(),
      ctx: this.#ctx,
      log: this.#log,
      stream: a.stream,
      medias: a.medias,
      remote: this.#remote,
      sendInterleaved: (b) => void this.#out.write(b).catch(() => {}),
    });
    this.#session = s;
    this.#ctx.sessions.set(s.id, s);
    return s;
  }

  #newPlaySession(d: { stream: Stream; tracks: DescribedTrack[] }): PlaySession {
    this.#out.startDirect();
    const s = new PlaySession({
      id: newSessionId(),
      ctx: this.#ctx,
      stream: d.stream,
      described: d.tracks,
      remote: this.#remote,
      write: (b) => this.#out.write(b),
      trySend: (b) => this.#out.trySend(b),
      onEnd: (reason) => this.close(reason),
    });
    this.#session = s;
    this.#ctx.sessions.set(s.id, s);
    return s;
  }

  async #play(req: RtspRequest, base: [string, string][]): Promise<Reply | undefined> {
    this.#checkSession(req);
    const s = this.#session!;
    if (s.mode !== "play") throw new RtspError(455, "RTSP PLAY in a record session is not valid");
    if (s.stream.isEnded) throw new RtspError(404, `stream ${s.stream.key} has ended`);
    await s.play((rtpInfo) => {
      const headers: [string, string][] = [...base, ["Session", s.id], ["Range", "npt=0.000-"]];
      if (rtpInfo) headers.push(["RTP-Info", rtpInfo]);
      return serializeResponse(200, headers);
    });
    this.#log.info("rtsp play", { key: s.stream.key, transport: s.lower });
    return undefined;
  }

  #record(req: RtspRequest): Reply {
    this.#checkSession(req);
    const s = this.#session!;
    if (s.mode !== "record") throw new RtspError(455, "RTSP RECORD in a play session is not valid");
    s.record();
    this.#log.info("rtsp record", { key: s.stream.key });
    return { status: 200 };
  }

  #endSession(reason: string): void {
    const s = this.#session;
    if (!s) return;
    this.#session = undefined;
    this.#ctx.sessions.delete(s.id);
    if (s.mode === "record") {
      this.#log.info("rtsp record stop", { key: s.stream.key, reason, ...s.stats });
      s.close(reason);
      this.#announced = undefined;
    } else {
      s.close();
    }
  }

  #checkIdle(): void {
    const why = idleReason({
      now: Date.now(),
      headerTimeoutMs: this.#ctx.headerTimeoutMs,
      partialSince: this.#partialSince,
      maxIdleMs: this.#ctx.maxIdleMs,
      lastRequest: this.#lastRequest,
      session: this.#session,
    });
    if (why) this.close(why);
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#endSession(reason);
    this.#announced?.stream.end(reason);
    this.#announced = undefined;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#log.info("rtsp disconnect", {
      reason,
      bytes_in: this.#bytesIn,
      bytes_out: this.#out.bytesOut,
      duration_s: Math.round((Date.now() - this.#startedAt) / 100) / 10,
    });
  }
}
