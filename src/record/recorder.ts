/**
 * The recorder service: every stream published to a record app (`hub.isRecordApp`) is recorded
 * under `root` while it lasts, and any live stream on demand (`startFor`, the API's record start)
 * until `stopFor` or its end. A recording is the stream's shared output "rec", held by one lease
 * until the stream ends, it is stopped or the recorder closes. On start it closes the playlists a
 * crash left open.
 */
import { BadNameError, type Hub, type Lease, NotFoundError, type Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import { RecordingSession, type SessionStats } from "./session.ts";
import { repairRecordings } from "./repair.ts";
import { isSafeSegment } from "./paths.ts";

export interface RecorderOptions {
  hub: Hub;
  log: Logger;
  /** Recording root (rec/). */
  root: string;
  /** `<recmode>`: 0 = DASH (.mpd), 1 = HLS (.m3u8). 2 (MP4) is not supported: recorded as HLS. */
  recmode: number;
  /** `<recduration>`: a new file every this many minutes. */
  recdurationMin: number;
  /** Segment target, ms (`<hlsduration>` × 1000). */
  segmentMs: number;
  /** Wall clock, ms (tests). */
  now?: () => number;
}

/** Counters for /api and the metrics. */
export interface RecorderStats {
  /** Streams being recorded now. */
  recording: number;
  /** Manifests started, segments written and bytes written, since the recorder started. */
  files: number;
  segments: number;
  bytes: number;
  /** Recordings stopped by a write failure. */
  failures: number;
}

/** The id of a recording among a stream's shared outputs. */
export const RECORDING_OUTPUT = "rec";

export interface Recorder {
  start(): Promise<void>;
  close(): Promise<void>;
  stats(): RecorderStats;
  /** Keys of the streams being recorded. */
  readonly recording: readonly string[];
  /**
   * Starts recording a live stream of any app now, until `stopFor` or its end: "started", or
   * "already" when it is being recorded. Throws NotFoundError when it is not live here (or is a sibling
   * worker's copy: its worker records it) and BadNameError for a name a path cannot hold.
   */
  startFor(key: string): "started" | "already";
  /** Stops recording a stream (its playlist is closed, playable); false when it was not being recorded. */
  stopFor(key: string): Promise<boolean>;
}

export function createRecorder(opts: RecorderOptions): Recorder {
  const log = opts.log.child({ svc: "rec" });
  // The leases this recorder holds (released on close); the sessions live in the streams' outputs.
  const leases = new Set<Lease<RecordingSession>>();
  const totals: SessionStats = { files: 0, segments: 0, bytes: 0, failed: false };
  let failures = 0;
  let unsubscribe: (() => void) | undefined;
  const recmode = opts.recmode === 0 ? 0 : 1;
  if (opts.recmode === 2) log.warn("recmode 2 (MP4) is not supported: recording as HLS (recmode 1)");

  const begin = (stream: Stream, onDemand = false) => {
    if (!onDemand && !opts.hub.isRecordApp(stream.app)) return;
    if (stream.isEnded || stream.outputs.has(RECORDING_OUTPUT)) return;
    if (stream.info.relay) return; // recorded on the publisher's worker
    if (!isSafeSegment(stream.name)) {
      log.warn("not recorded: unsafe stream name", { key: stream.key });
      return;
    }
    const lease = stream.outputs.acquire(RECORDING_OUTPUT, () =>
      new RecordingSession({
        stream,
        log,
        root: opts.root,
        recmode,
        targetMs: opts.segmentMs,
        rollMs: opts.recdurationMin * 60_000,
        now: opts.now,
        onFileDone: (e) => opts.hub.events.emit(e),
      }));
    leases.add(lease);
    const s = lease.value;
    s.done.then(() => {
      leases.delete(lease);
      // Gives the output back (a no-op once the stream ended and closed it).
      lease.release();
      totals.files += s.stats.files;
      totals.segments += s.stats.segments;
      totals.bytes += s.stats.bytes;
      if (s.stats.failed) failures++;
    });
  };

  return {
    async start() {
      if (unsubscribe) return;
      await repairRecordings(opts.root, log).catch((err) => log.warn("repair skipped", { err }));
      unsubscribe = opts.hub.onPublish(begin);
      // Streams that were already live when the recorder (re)started.
      for (const s of opts.hub.streams()) if (!s.isEnded) begin(s);
      log.info("recorder started", { root: opts.root, recmode, recduration_min: opts.recdurationMin });
    },
    async close() {
      unsubscribe?.();
      unsubscribe = undefined;
      const held = [...leases];
      // The last release closes the recording; wait until its manifest is written.
      for (const l of held) l.release();
      await Promise.all(held.map((l) => l.value.done));
    },
    stats() {
      let { files, segments, bytes } = totals;
      for (const { value: s } of leases) {
        files += s.stats.files;
        segments += s.stats.segments;
        bytes += s.stats.bytes;
      }
      return { recording: leases.size, files, segments, bytes, failures };
    },
    get recording() {
      return [...leases].map((l) => l.value.key);
    },
    startFor(key) {
      const stream = opts.hub.get(key);
      if (!stream || stream.isEnded || stream.info.relay) {
        throw new NotFoundError(`stream ${key} is not live here: there is nothing to record`);
      }
      if (!isSafeSegment(stream.name)) {
        throw new BadNameError(stream.name, "it cannot be a recording's folder name");
      }
      if ([...leases].some((l) => l.value.key === key)) return "already";
      begin(stream, true);
      log.info("recording started on demand", { key });
      return "started";
    },
    async stopFor(key) {
      const held = [...leases].filter((l) => l.value.key === key);
      for (const l of held) l.release();
      await Promise.all(held.map((l) => l.value.done));
      if (held.length > 0) log.info("recording stopped on demand", { key });
      return held.length > 0;
    },
  };
}
