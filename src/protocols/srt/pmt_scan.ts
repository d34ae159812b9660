/**
 * Which tracks an MPEG-TS publisher announces: its first PMT's elementary streams. The demuxer
 * follows PAT → PMT itself but reports tracks only once their parameters are known, so players'
 * `tracksReady` needs the announcement from here. Looks at packets only until the first PMT, and
 * only at a single-packet PAT/PMT (what every muxer sends); anything else leaves the stream to its
 * bounded default wait.
 */
import type { ExpectedTracks } from "../../core/stream.ts";
import { EstuaryError } from "../../core/errors.ts";
import {
  parseDescriptors,
  parsePacket,
  parsePat,
  parsePmt,
  PID_PAT,
  type PmtStream,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
  SYNC_BYTE,
  TS_PACKET_SIZE,
} from "../../formats/mpegts/mod.ts";

const VIDEO_TYPES = new Set([STREAM_TYPE_H264, STREAM_TYPE_H265]);
const STREAM_TYPE_MPEG2_AUDIO = 0x04;
const AUDIO_TYPES = new Set([STREAM_TYPE_AAC_ADTS, STREAM_TYPE_MPEG1_AUDIO, STREAM_TYPE_MPEG2_AUDIO]);
const REGISTRATION = 0x05;
const OPUS = "Opus";

/** Opus is private PES data marked by a registration descriptor "Opus" (ETSI TS 102 366 style). */
function isOpus(s: PmtStream): boolean {
  if (s.type !== STREAM_TYPE_PRIVATE_PES) return false;
  return parseDescriptors(s.descriptors).some((d) =>
    d.tag === REGISTRATION && d.data.length >= 4 && String.fromCharCode(...d.data.subarray(0, 4)) === OPUS
  );
}

/** The kinds of tracks a PMT lists that the demuxer turns into tracks. */
export function pmtKinds(streams: readonly PmtStream[]): ExpectedTracks {
  return {
    video: streams.some((s) => VIDEO_TYPES.has(s.type)),
    audio: streams.some((s) => AUDIO_TYPES.has(s.type) || isOpus(s)),
  };
}

export class PmtScan {
  #pmtPid = -1;
  #done = false;

  get done(): boolean {
    return this.#done;
  }

  /** Feeds TS bytes; returns the announced kinds once, at the first PMT. */
  push(bytes: Uint8Array): ExpectedTracks | undefined {
    if (this.#done) return undefined;
    for (
      let o = bytes.indexOf(SYNC_BYTE);
      o >= 0 && o + TS_PACKET_SIZE <= bytes.length;
      o += TS_PACKET_SIZE
    ) {
      if (bytes[o] !== SYNC_BYTE) return undefined; // not packet-aligned: leave it to the demuxer
      const kinds = this.#packet(bytes, o);
      if (kinds) {
        this.#done = true;
        return kinds;
      }
    }
    return undefined;
  }

  #packet(bytes: Uint8Array, o: number): ExpectedTracks | undefined {
    try {
      const h = parsePacket(bytes, o);
      if (!h.pusi || !h.hasPayload || (h.pid !== PID_PAT && h.pid !== this.#pmtPid)) return undefined;
      const payload = bytes.subarray(o + h.payloadOffset, o + TS_PACKET_SIZE);
      const section = payload.subarray(1 + payload[0]);
      if (h.pid === PID_PAT) {
        const program = parsePat(section).programs.find((p) => p.number !== 0);
        if (program) this.#pmtPid = program.pid;
        return undefined;
      }
      return pmtKinds(parsePmt(section).streams);
    } catch (err) {
      if (!(err instanceof EstuaryError)) throw err;
      return undefined; // a section over several packets, or damaged: wait for the next one
    }
  }
}
