/** What the demuxer hands each elementary stream parser, and what the parsers report back. */
import type { Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";

export interface TsDemuxerStats {
  /** Whole 188-byte packets read. */
  packets: number;
  /** Bytes skipped while looking for the 0x47 sync byte. */
  garbageBytes: number;
  /** Packets with a bad header, transport_error_indicator, or a bad PSI section. */
  badPackets: number;
  /** Continuity counter gaps on elementary stream PIDs. */
  ccErrors: number;
  /** PES packets dropped: cut by a counter gap, oversized, or with a bad header. */
  droppedPes: number;
  /** Access units dropped: before the first parameter sets, or undecodable. */
  droppedFrames: number;
  frames: number;
}

export interface EsSink {
  onTrack(track: Track): void;
  onFrame(frame: Frame): void;
  readonly stats: TsDemuxerStats;
}

/** One complete PES payload; timestamps are unwrapped 90 kHz (pts defaults to dts). */
export interface EsParser {
  /** True when emitted frames are views of `payload`, so the demuxer must not reuse its buffer. */
  readonly keepsViews: boolean;
  pes(payload: Uint8Array, pts: number | undefined, dts: number | undefined): void;
  readonly track: Track | undefined;
}
