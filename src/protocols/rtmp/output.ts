/**
 * The player side: which variant a player gets (legacy or Enhanced RTMP), the shared Fanout per
 * stream and variant, and one player's playback (status prefix, end of stream, back-pressure).
 */
import { concat } from "../../core/bytes.ts";
import { Fanout, type FanoutOptions, type Subscriber } from "../../core/fanout.ts";
import type { Lease } from "../../core/shared_outputs.ts";
import type { Stream } from "../../core/stream.ts";
import type { VideoTrack } from "../../core/track.ts";
import type { AmfValue } from "../../formats/amf/mod.ts";
import type { FlvVideoForm } from "../../formats/flv/mod.ts";
import { dataStartMessage, onStatusMessage, sampleAccessMessage, Status } from "./commands.ts";
import type { RtmpConnection } from "./connection.ts";
import { UserControl, userControlMessage } from "./messages.ts";
import { PLAY_STREAM_ID, RtmpMuxer } from "./muxer.ts";
import { aacOutput, type AacViewSettings, needsAacView } from "../../transcode/mod.ts";
import type { Logger } from "../../log/mod.ts";

/** The FourCCs a client lists in connect (`fourCcList`, `videoFourCcInfoMap`, `audioFourCcInfoMap`). */
export function clientFourCcs(connectObject: Record<string, AmfValue>): Set<string> {
  const set = new Set<string>();
  const list = connectObject.fourCcList;
  if (Array.isArray(list)) { for (const v of list) if (typeof v === "string") set.add(v); }
  for (const key of ["videoFourCcInfoMap", "audioFourCcInfoMap"]) {
    const map = connectObject[key];
    if (map && typeof map === "object" && !Array.isArray(map)) {
      for (const k of Object.keys(map)) set.add(k);
    }
  }
  return set;
}

/**
 * Legacy or Enhanced for one player. H264 always goes legacy (every player knows it); HEVC goes
 * enhanced to players that listed `hvc1` (or "*"); codecs without a legacy form are enhanced in
 * either variant.
 */
export function chooseForm(fourCcs: ReadonlySet<string>, video: VideoTrack | undefined): FlvVideoForm {
  if (video?.codec === "h264") return "legacy";
  const want = video ? fourCcOf(video) : "hvc1";
  return fourCcs.has(want) || fourCcs.has("*") ? "enhanced" : "legacy";
}

function fourCcOf(t: VideoTrack): string {
  switch (t.codec) {
    case "h264":
      return "avc1";
    case "h265":
      return "hvc1";
    case "av1":
      return "av01";
    case "vp9":
      return "vp09";
    case "vp8":
      return "vp08";
  }
}

export interface PlayOutputOptions {
  form: FlvVideoForm;
  chunkSize: number;
  hevcCodecId?: number;
  fmt3ExtTime?: boolean;
  fanout: FanoutOptions;
  /** The player takes Opus (Enhanced RTMP, `Opus` in its fourCcList); else an Opus source plays as AAC. */
  opus?: boolean;
  /** Opus → AAC for players without Opus (`<rtc><transcode>`, `<rtc><aacbitrate>`); default: on, default bitrate. */
  aac?: AacViewSettings;
  /** The player's log (the line saying its Opus audio is not transcoded). */
  log?: Logger;
}

/**
 * The shared Fanout of a stream for one variant and chunking (created by the first player). A player
 * without Enhanced RTMP Opus plays an Opus source from its AAC view (the audio transcoded once per stream).
 */
export function rtmpFanout(stream: Stream, o: PlayOutputOptions): Lease<Fanout> {
  const src = !o.opus && needsAacView(stream) ? aacOutput(stream, o.aac ?? {}, o.log) : undefined;
  if (src?.view) {
    const view = src.view;
    const inner = rtmpFanout(src.stream, o);
    return {
      value: inner.value,
      release: (lingerMs) => {
        inner.release(lingerMs);
        view.release(lingerMs);
      },
    };
  }
  // Everything the bytes depend on is in the id: after a reload that changes one, new players get
  // their own fan-out while the ones already playing keep theirs.
  const id = `rtmp-${o.form}/${o.chunkSize}/${o.fmt3ExtTime === false ? "x" : "e"}/${o.hevcCodecId ?? 12}`;
  return stream.outputs.acquire(id, () => {
    const muxer = new RtmpMuxer(stream, o);
    return new Fanout(stream, muxer, o.fanout);
  });
}

export interface PlaybackOptions {
  /** The stream name the player asked for (for status descriptions). */
  name: string;
  /** The name it counts under in the stream's players. Default "rtmp". */
  protocol?: string;
  form: FlvVideoForm;
  hevcCodecId?: number;
  fmt3ExtTime?: boolean;
  fanout: FanoutOptions;
  /** The player takes Opus (see PlayOutputOptions). */
  opus?: boolean;
  /** Opus → AAC settings and the player's log (see PlayOutputOptions). */
  aac?: AacViewSettings;
  log?: Logger;
}

/** One player on one stream: subscribed to the shared Fanout, with its own status prefix. */
export class Playback {
  readonly stream: Stream;
  #rc: RtmpConnection;
  #sub: Subscriber | undefined;
  #release: () => void;
  #lease: Lease<Fanout>;
  #stopped = false;
  /** Times the player fell behind and was dropped to the next keyframe. */
  drops = 0;

  constructor(rc: RtmpConnection, stream: Stream, o: PlaybackOptions) {
    this.stream = stream;
    this.#rc = rc;
    this.#release = stream.attachPlayer(o.protocol ?? "rtmp");
    this.#lease = rtmpFanout(stream, { ...o, chunkSize: rc.chunkSize });
    const fanout = this.#lease.value;
    const sid = PLAY_STREAM_ID;
    const prefix = concat([
      userControlMessage(UserControl.streamBegin, sid),
      onStatusMessage(rc, sid, "status", Status.playReset, `Playing and resetting ${o.name}.`, {
        details: o.name,
      }),
      onStatusMessage(rc, sid, "status", Status.playStart, `Started playing ${o.name}.`, { details: o.name }),
      sampleAccessMessage(rc, sid),
      dataStartMessage(rc, sid),
    ]);
    // One sink object per player; its write is the connection's queue (never interleaves).
    this.#sub = fanout.subscribe({
      write: (b) => rc.send(b),
      trySend: (b) => rc.trySend(b),
      close: (r) => this.#onClose(r),
    }, prefix);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The Fanout let go of this player: the stream ended, or the player was too slow. */
  #onClose(reason: string) {
    if (this.#stopped) return;
    this.#finish();
    const rc = this.#rc;
    // The Stream closes its fan-outs itself when it ends, with a generic reason: ask the Stream.
    if (this.stream.isEnded) {
      const sid = PLAY_STREAM_ID;
      rc.send(userControlMessage(UserControl.streamEof, sid));
      rc.send(
        onStatusMessage(
          rc,
          sid,
          "status",
          Status.playUnpublishNotify,
          `${this.stream.key} is now unpublished.`,
        ),
      );
      rc.closeAfterFlush(`stream ended: ${this.stream.endReason}`);
    } else rc.close(reason);
  }

  /** The player left (deleteStream, closeStream, disconnect). */
  stop(why: string): void {
    if (this.#stopped) return;
    this.#finish();
    this.#sub?.close(why);
  }

  #finish() {
    this.#stopped = true;
    this.drops = this.#sub?.stats.drops ?? 0;
    this.#release();
    // The last player of this variant stops its muxing (the Fanout closes with the lease).
    queueMicrotask(() => this.#lease.release());
  }
}
