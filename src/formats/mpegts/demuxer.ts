/**
 * MPEG-TS → Track + Frame. Fed arbitrary byte chunks; finds packets by their 0x47 sync byte (and the
 * next packet's), follows PAT → PMT, reassembles PES packets per PID, and hands each complete PES
 * to an elementary stream parser. Network garbage is counted, never thrown, except when no
 * transport stream can be found at all.
 */
import type { Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { EstuaryError, ProtocolError } from "../../core/errors.ts";
import type { EsParser, EsSink, TsDemuxerStats } from "./_es.ts";
import { VideoEs } from "./_video_es.ts";
import { AacEs, Mp3Es, OpusEs } from "./_audio_es.ts";
import { mod33, parsePacket, PID_PAT, SYNC_BYTE, TS_PACKET_SIZE } from "./packet.ts";
import { parsePesHeader } from "./pes.ts";
import { parsePat, parsePmt, type PmtStream } from "./psi.ts";
import { SectionAssembler } from "./_sections.ts";
import { codecOf, opusChannels } from "./_stream_types.ts";

export type { TsDemuxerStats } from "./_es.ts";

export interface TsDemuxerHandlers {
  /** A new track, or new parameters for one (called before the frames that use it). */
  onTrack(track: Track): void;
  onFrame(frame: Frame): void;
}

export interface TsDemuxerOptions {
  /** Consecutive bytes without a packet before the input is declared not a TS (default 65536). */
  readonly maxGarbage?: number;
  /** Largest PES kept; bigger ones are dropped (default 16 MiB). */
  readonly maxPesSize?: number;
}

interface PesState {
  readonly codec: string;
  readonly parser: EsParser;
  buf: Uint8Array;
  len: number;
  /** Total PES bytes from PES_packet_length, 0 when unbounded. */
  expected: number;
  open: boolean;
  broken: boolean;
  cc: number;
}

const WRAP = 2 ** 33;
const HALF = 2 ** 32;

/** A sync byte in [from, to) confirmed by another one packet later, or -1. */
function findSync(data: Uint8Array, from: number, to: number): number {
  for (let q = data.indexOf(SYNC_BYTE, from); q >= 0 && q < to; q = data.indexOf(SYNC_BYTE, q + 1)) {
    if (q + TS_PACKET_SIZE < data.length && data[q + TS_PACKET_SIZE] === SYNC_BYTE) return q;
  }
  return -1;
}

/** The signed 33-bit difference closest to zero. */
function wrapDelta(d: number): number {
  d %= WRAP;
  if (d >= HALF) d -= WRAP;
  else if (d < -HALF) d += WRAP;
  return d;
}

export class TsDemuxer {
  readonly #handlers: TsDemuxerHandlers;
  readonly #maxGarbage: number;
  readonly #maxPes: number;
  readonly #stats: TsDemuxerStats = {
    packets: 0,
    garbageBytes: 0,
    badPackets: 0,
    ccErrors: 0,
    droppedPes: 0,
    droppedFrames: 0,
    frames: 0,
  };
  readonly #sink: EsSink;
  #rest: Uint8Array | undefined;
  #garbageRun = 0;
  #synced = false;
  #pmtPid = -1;
  #pmtVersion = -1;
  #es = new Map<number, PesState>();
  #psi = new Map<number, SectionAssembler>();
  #ref: number | undefined;

  constructor(handlers: TsDemuxerHandlers, options: TsDemuxerOptions = {}) {
    this.#handlers = handlers;
    this.#maxGarbage = options.maxGarbage ?? 65536;
    this.#maxPes = options.maxPesSize ?? 16 << 20;
    const stats = this.#stats;
    this.#sink = {
      stats,
      onTrack: (t) => handlers.onTrack(t),
      onFrame: (f) => handlers.onFrame(f),
    };
  }

  get stats(): Readonly<TsDemuxerStats> {
    return this.#stats;
  }

  /** Tracks found so far (video first). */
  get tracks(): Track[] {
    const out: Track[] = [];
    for (const s of this.#es.values()) if (s.parser.track) out.push(s.parser.track);
    return out.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "video" ? -1 : 1));
  }

  /** Feeds bytes; the demuxer copies what it keeps, so the caller may reuse `bytes` afterwards. */
  push(bytes: Uint8Array): void {
    let data = bytes;
    if (this.#rest) {
      data = new Uint8Array(this.#rest.length + bytes.length);
      data.set(this.#rest);
      data.set(bytes, this.#rest.length);
      this.#rest = undefined;
    }
    const n = data.length;
    let pos = 0;
    while (pos < n) {
      if (data[pos] === SYNC_BYTE) {
        if (pos + TS_PACKET_SIZE > n) break;
        const next = pos + TS_PACKET_SIZE;
        if (next === n || data[next] === SYNC_BYTE) {
          this.#accept(data, pos);
          pos = next;
          continue;
        }
        if (this.#synced) {
          // In sync, but no sync byte follows: either garbage follows this packet, or it was
          // cut short and a real packet starts inside it.
          const q = findSync(data, pos + 1, next);
          if (q < 0) {
            this.#accept(data, pos);
            pos = next;
            continue;
          }
          this.#truncated(data, pos);
          this.#skip(q - pos);
          pos = q;
          continue;
        }
      }
      this.#synced = false;
      this.#skip(1);
      pos++;
    }
    if (pos < n) this.#rest = data.slice(pos);
  }

  #accept(data: Uint8Array, pos: number): void {
    this.#synced = true;
    this.#garbageRun = 0;
    this.#packet(data, pos);
  }

  #skip(bytes: number): void {
    this.#stats.garbageBytes += bytes;
    this.#garbageRun += bytes;
    if (this.#garbageRun > this.#maxGarbage) {
      throw new ProtocolError(
        `MPEG-TS input is invalid: no 0x47 sync byte pattern in ${this.#maxGarbage} consecutive bytes`,
      );
    }
  }

  /** A packet cut short: its PES cannot be trusted. */
  #truncated(data: Uint8Array, pos: number): void {
    this.#stats.badPackets++;
    const st = this.#es.get(((data[pos + 1] & 0x1f) << 8) | data[pos + 2]);
    if (st) st.broken = true;
  }

  /** Ends the input: emits PES packets still open (the last video frame of an unbounded PES). */
  flush(): void {
    for (const st of this.#es.values()) if (st.open) this.#finish(st);
    this.#rest = undefined;
  }

  #packet(data: Uint8Array, pos: number): void {
    this.#stats.packets++;
    let h;
    try {
      h = parsePacket(data, pos);
    } catch (e) {
      if (!(e instanceof EstuaryError)) throw e;
      this.#stats.badPackets++;
      return;
    }
    const st = this.#es.get(h.pid);
    if (h.transportError) {
      this.#stats.badPackets++;
      if (st) st.broken = true;
      return;
    }
    if (!h.hasPayload) return;
    const payload = data.subarray(pos + h.payloadOffset, pos + TS_PACKET_SIZE);
    if (st) this.#pesPacket(st, payload, h.pusi, h.cc, h.discontinuity);
    else if (h.pid === PID_PAT || h.pid === this.#pmtPid) {
      let asm = this.#psi.get(h.pid);
      if (!asm) this.#psi.set(h.pid, asm = new SectionAssembler());
      asm.push(payload, h.pusi, h.cc, (section) => this.#section(h.pid, section));
    }
  }

  #pesPacket(st: PesState, payload: Uint8Array, pusi: boolean, cc: number, discontinuity: boolean): void {
    if (st.cc >= 0 && !discontinuity) {
      if (cc === st.cc) return; // a duplicate packet (13818-1 §2.4.3.3)
      if (cc !== ((st.cc + 1) & 15)) {
        this.#stats.ccErrors++;
        st.broken = true;
      }
    }
    st.cc = cc;
    if (pusi) {
      if (st.open) {
        // An unbounded video PES followed by one without PTS: the access unit continues.
        if (
          st.expected === 0 && !st.broken && st.parser instanceof VideoEs && payload.length >= 9 &&
          payload[2] === 1 && (payload[7] & 0xc0) === 0
        ) {
          this.#append(st, payload.subarray(Math.min(payload.length, 9 + payload[8])));
          return;
        }
        this.#finish(st);
      }
      st.open = true;
      st.broken = false;
      st.len = 0;
      const length = payload.length >= 6 ? (payload[4] << 8) | payload[5] : 0;
      st.expected = length > 0 ? 6 + length : 0;
    } else if (!st.open || st.broken) {
      return;
    }
    this.#append(st, payload);
    if (st.expected > 0 && st.len >= st.expected) this.#finish(st);
  }

  #append(st: PesState, bytes: Uint8Array): void {
    const need = st.len + bytes.length;
    if (need > this.#maxPes) {
      st.broken = true;
      return;
    }
    if (need > st.buf.length) {
      const grown = new Uint8Array(Math.max(need, st.buf.length * 2));
      grown.set(st.buf.subarray(0, st.len));
      st.buf = grown;
    }
    st.buf.set(bytes, st.len);
    st.len = need;
  }

  #finish(st: PesState): void {
    st.open = false;
    if (st.broken) {
      this.#stats.droppedPes++;
      return;
    }
    const end = st.expected > 0 ? Math.min(st.expected, st.len) : st.len;
    const pes = st.buf.subarray(0, end);
    let h;
    try {
      h = parsePesHeader(pes);
    } catch (e) {
      if (!(e instanceof EstuaryError)) throw e;
      this.#stats.droppedPes++;
      return;
    }
    let dts: number | undefined;
    let pts: number | undefined;
    if (h.dts !== undefined) {
      dts = this.#unwrap(h.dts);
      pts = dts + wrapDelta(h.pts! - h.dts);
    }
    st.parser.pes(pes.subarray(h.headerLength), pts, dts);
    // Frames may be views of this buffer: give the next PES a fresh one.
    if (st.parser.keepsViews) st.buf = new Uint8Array(st.buf.length);
  }

  #unwrap(ts: number): number {
    if (this.#ref === undefined) {
      this.#ref = ts;
      return ts;
    }
    const v = this.#ref + wrapDelta(ts - mod33(this.#ref));
    this.#ref = v;
    return v;
  }

  #section(pid: number, section: Uint8Array): void {
    try {
      if (pid === PID_PAT) {
        const program = parsePat(section).programs.find((p) => p.number !== 0);
        if (program && program.pid !== this.#pmtPid) {
          this.#pmtPid = program.pid;
          this.#pmtVersion = -1;
        }
      } else if (section[0] === 0x02) {
        const pmt = parsePmt(section);
        if (pmt.version !== this.#pmtVersion) {
          this.#pmtVersion = pmt.version;
          this.#setStreams(pmt.streams);
        }
      }
    } catch (e) {
      if (!(e instanceof EstuaryError)) throw e;
      this.#stats.badPackets++;
    }
  }

  /** Keeps the first video and the first audio stream the Track model can carry. */
  #setStreams(streams: readonly PmtStream[]): void {
    const next = new Map<number, PesState>();
    let video = false;
    let audio = false;
    for (const s of streams) {
      const codec = codecOf(s);
      if (!codec) continue;
      const isVideo = codec === "h264" || codec === "h265";
      if (isVideo ? video : audio) continue;
      if (isVideo) video = true;
      else audio = true;
      const old = this.#es.get(s.pid);
      if (old && old.codec === codec) {
        next.set(s.pid, old);
        continue;
      }
      next.set(s.pid, {
        codec,
        parser: this.#parser(codec, s),
        buf: new Uint8Array(isVideo ? 65536 : 4096),
        len: 0,
        expected: 0,
        open: false,
        broken: false,
        cc: -1,
      });
    }
    this.#es = next;
  }

  #parser(codec: string, s: PmtStream): EsParser {
    switch (codec) {
      case "h264":
      case "h265":
        return new VideoEs(codec, this.#sink);
      case "aac":
        return new AacEs(this.#sink);
      case "opus":
        return new OpusEs(this.#sink, opusChannels(s));
      default:
        return new Mp3Es(this.#sink);
    }
  }
}
