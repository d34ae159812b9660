/**
 * The recorder service: every stream published to a record app (`hub.isRecordApp`) is recorded
 * under `root` while it lasts. On start it closes the playlists a crash left open.
 */
import type { Hub, Stream } from "../core/mod.ts";
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

export interface Recorder {
  start(): Promise<void>;
  close(): Promise<void>;
  stats(): Record<string, unknown>;
  /** Keys of the streams being recorded. */
  readonly recording: readonly string[];
}

export function createRecorder(opts: RecorderOptions): Recorder {
  const log = opts.log.child({ svc: "rec" });
  const sessions = new Map<Stream, RecordingSession>();
  const totals: SessionStats = { files: 0, segments: 0, bytes: 0, failed: false };
  let failures = 0;
  let unsubscribe: (() => void) | undefined;
  const recmode = opts.recmode === 0 ? 0 : 1;
  if (opts.recmode === 2) log.warn("recmode 2 (MP4) is not supported: recording as HLS (recmode 1)");

  const begin = (stream: Stream) => {
    if (!opts.hub.isRecordApp(stream.app) || sessions.has(stream)) return;
    if (!isSafeSegment(stream.name)) {
      log.warn("not recorded: unsafe stream name", { key: stream.key });
      return;
    }
    const s = new RecordingSession({
      stream,
      log,
      root: opts.root,
      recmode,
      targetMs: opts.segmentMs,
      rollMs: opts.recdurationMin * 60_000,
      now: opts.now,
    });
    sessions.set(stream, s);
    s.done.then(() => {
      sessions.delete(stream);
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
      await Promise.all([...sessions.values()].map((s) => s.stop()));
    },
    stats() {
      let { files, segments, bytes } = totals;
      for (const s of sessions.values()) {
        files += s.stats.files;
        segments += s.stats.segments;
        bytes += s.stats.bytes;
      }
      return { recording: sessions.size, files, segments, bytes, failures };
    },
    get recording() {
      return [...sessions.keys()].map((s) => s.key);
    },
  };
}
