/**
 * One stream's recording: a Reader that cuts segments on keyframes, writes each segment as soon as
 * it is complete and then rewrites the manifest (atomically, by rename), and rolls to a new file
 * every `rollMs` of media. A write failure (disk full, unwritable folder) stops the recording with
 * one log line; the live stream is not affected. It is the stream's shared output "rec": the
 * recorder's release (or the stream's end) closes it.
 */
import type { Frame, Reader, RecordDoneEvent, SharedOutput, Stream } from "../core/mod.ts";
import { Cut, outputTracks, primaryKind, SegmentCutter } from "../formats/segment/mod.ts";
import type { Logger } from "../log/mod.ts";
import { HlsRecording, type RecordedFile, type RecordingFormat } from "./formats.ts";
import { DashRecording } from "./dash_recording.ts";
import { checkSegment, dayAndTime, vhostFolder } from "./paths.ts";

export interface SessionOptions {
  stream: Stream;
  log: Logger;
  root: string;
  /** 0 = DASH (.mpd), 1 = HLS (.m3u8). */
  recmode: number;
  /** Segment target, ms. */
  targetMs: number;
  /** A new file every this much media time, ms. */
  rollMs: number;
  /** Wall clock, ms (tests). */
  now?: () => number;
  /** A file was closed (its manifest final): the hub's events carry it to the hooks. */
  onFileDone?: (e: RecordDoneEvent) => void;
}

export interface SessionStats {
  files: number;
  segments: number;
  bytes: number;
  failed: boolean;
}

interface OpenFile {
  format: RecordingFormat;
  /** Manifest path without extension; segments go in the folder of that name. */
  base: string;
  dir: string;
  written: number;
}

export class RecordingSession implements SharedOutput {
  readonly stats: SessionStats = { files: 0, segments: 0, bytes: 0, failed: false };
  readonly #o: SessionOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  #reader: Reader;
  #cutter: SegmentCutter | undefined;
  #file: OpenFile | undefined;
  #frames: Frame[] = [];
  #resolveDone!: () => void;
  /** Resolves once the last manifest is written (or the recording failed). */
  readonly done: Promise<void> = new Promise((r) => this.#resolveDone = r);
  /** Manifest paths (with extension) still being written; the repair pass leaves them alone. */
  readonly open = new Set<string>();

  /** The recorded stream's key. */
  get key(): string {
    return this.#o.stream.key;
  }

  constructor(opts: SessionOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log.child({ sess: "rec", key: opts.stream.key });
    checkSegment(opts.stream.name, "stream name");
    this.#reader = opts.stream.addReader((frames) => this.#onFrames(frames), {
      onClose: (_r, reason) => void this.#finish(reason),
    });
  }

  async #onFrames(frames: Frame[]): Promise<void> {
    if (this.stats.failed) return;
    try {
      for (const f of frames) {
        if (!this.#cutter) {
          const primary = primaryKind(outputTracks(this.#o.stream).tracks);
          this.#cutter = new SegmentCutter({ targetMs: this.#o.targetMs, primary });
        }
        const cut = this.#cutter.push(f);
        if (cut === Cut.Drop) continue;
        if (cut === Cut.Segment) {
          await this.#closeSegment(this.#cutter.segmentDuration, this.#cutter.discontinuity);
          if (this.#file && this.#file.format.duration * 1000 >= this.#o.rollMs - this.#o.targetMs / 2) {
            await this.#closeFile();
          }
        }
        if (!this.#file) await this.#openFile();
        this.#frames.push(f);
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  async #openFile() {
    const s = this.#o.stream;
    const [day, time] = dayAndTime(this.#now());
    const folder = [this.#o.root, vhostFolder(s.vhost), s.name, day].join("/");
    await Deno.mkdir(folder, { recursive: true });
    const ext = this.#o.recmode === 0 ? "mpd" : "m3u8";
    // Two recordings started in the same second get distinct names.
    let name = time;
    for (let i = 1; await exists(`${folder}/${name}.${ext}`); i++) name = `${time}_${i}`;
    const base = `${folder}/${name}`;
    const { tracks, left } = outputTracks(s);
    for (const { track, why } of left) {
      this.#log.info(`${track.kind} not recorded`, { codec: track.codec, why });
    }
    const format: RecordingFormat = this.#o.recmode === 0
      ? new DashRecording({ dir: name, tracks, startedAt: this.#now() })
      : new HlsRecording({ dir: name, tracks, targetMs: this.#o.targetMs, startedAt: this.#now() });
    this.#file = { format, base, dir: base, written: 0 };
    this.open.add(`${base}.${ext}`);
    await Deno.mkdir(base, { recursive: true });
    await this.#writeFiles(format.start());
    this.stats.files++;
    this.#log.info("recording start", { file: `${base}.${ext}` });
  }

  async #writeFiles(files: RecordedFile[]) {
    for (const f of files) {
      await Deno.writeFile(`${this.#file!.dir}/${f.name}`, f.bytes);
      this.stats.bytes += f.bytes.byteLength;
    }
  }

  async #writeManifest(ended: boolean) {
    const file = this.#file!;
    const path = `${file.base}.${file.format.ext}`;
    await Deno.writeTextFile(`${path}.tmp`, file.format.manifest(ended));
    await Deno.rename(`${path}.tmp`, path);
  }

  async #closeSegment(duration: number, discontinuity: boolean) {
    if (!this.#file || this.#frames.length === 0) return;
    const frames = this.#frames;
    this.#frames = [];
    await this.#writeFiles(this.#file.format.segment(frames, duration, discontinuity));
    this.stats.segments++;
    await this.#writeManifest(false);
  }

  async #closeFile() {
    const file = this.#file;
    if (!file) return;
    await this.#writeManifest(true);
    this.open.delete(`${file.base}.${file.format.ext}`);
    this.#file = undefined;
    const durationS = Math.round(file.format.duration * 10) / 10;
    this.#log.info("recording stop", {
      file: `${file.base}.${file.format.ext}`,
      segments: file.format.segments,
      duration_s: durationS,
    });
    // rec/<vhost>/<name>/<day>/<time>: the recordings API serves it as /rec/<name>/<day>/<time>.<ext>.
    const rel = `${file.base}.${file.format.ext}`.slice(this.#o.root.length).replace(/^\/+/, "");
    const [, name, day, leaf] = rel.split("/");
    this.#o.onFileDone?.({
      type: "record_done",
      key: this.key,
      file: rel,
      url: `/rec/${name}/${day}/${leaf}`,
      durationS,
      segments: file.format.segments,
    });
  }

  async #finish(reason: string) {
    try {
      if (!this.stats.failed && this.#cutter) {
        await this.#closeSegment(this.#cutter.flush().segmentDuration, false);
        await this.#closeFile();
      }
    } catch (err) {
      this.#fail(err);
    }
    this.open.clear();
    this.#log.debug("recording session end", { reason });
    this.#resolveDone();
  }

  #fail(err: unknown) {
    if (this.stats.failed) return;
    this.stats.failed = true;
    this.#log.error("recording stopped: cannot write, the live stream goes on", {
      root: this.#o.root,
      err: (err as Error)?.message ?? String(err),
    });
    this.#reader.close("recording failed");
  }

  /** Stops recording once the frames already queued are written, and closes the manifest. */
  async stop(reason = "recorder stopping"): Promise<void> {
    this.#reader.finish(reason);
    await this.done;
  }

  /** SharedOutput: the last lease was released, or the stream ended (then the reader already finished). */
  close(): void {
    void this.stop();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
