/** Test helpers for fmp4: real frames from the mpegts fixtures and from IVF files, and a box walker. */
import type { Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import {
  av1Track,
  buildAv1c,
  OBU_SEQUENCE_HEADER,
  OBU_TEMPORAL_DELIMITER,
  splitObus,
  vp9Track,
} from "../../codecs/mod.ts";
import { TsDemuxer } from "../mpegts/mod.ts";
import { type Box, children, parseBoxes } from "./box.ts";

export interface Media {
  video: { track: Track; frames: Frame[] };
  audio: { track: Track; frames: Frame[] };
}

/** Frames of one of the ffmpeg-made TS fixtures in ../mpegts/testdata. */
export function tsMedia(name: string): Media {
  const bytes = Deno.readFileSync(new URL(`../mpegts/testdata/${name}`, import.meta.url));
  const frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: () => {}, onFrame: (f) => frames.push(f) });
  d.push(bytes);
  d.flush();
  const v = frames.filter((f) => f.track.kind === "video");
  const a = frames.filter((f) => f.track.kind === "audio");
  return { video: { track: v[0].track, frames: v }, audio: { track: a[0].track, frames: a } };
}

/** AV1 or VP9 frames from an IVF fixture (30 fps), as an ingest would produce them. */
export function ivfMedia(name: string): { track: Track; frames: Frame[] } {
  const b = Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));
  const v = new DataView(b.buffer);
  const fourcc = String.fromCharCode(...b.subarray(8, 12));
  const width = v.getUint16(12, true);
  const height = v.getUint16(14, true);
  const payloads: Uint8Array[] = [];
  for (let o = v.getUint16(6, true); o + 12 <= b.length;) {
    const size = v.getUint32(o, true);
    payloads.push(b.subarray(o + 12, o + 12 + size));
    o += 12 + size;
  }
  let track: Track;
  let datas = payloads;
  if (fourcc === "AV01") {
    const seq = splitObus(payloads[0]).find((o) => o.type === OBU_SEQUENCE_HEADER)!;
    track = av1Track(buildAv1c(seq.bytes).bytes, width, height);
    // AV1-in-ISOBMFF samples carry no temporal delimiters.
    datas = payloads.map((p) => {
      const obus = splitObus(p).filter((o) => o.type !== OBU_TEMPORAL_DELIMITER);
      const out = new Uint8Array(obus.reduce((n, o) => n + o.bytes.length, 0));
      let k = 0;
      for (const o of obus) {
        out.set(o.bytes, k);
        k += o.bytes.length;
      }
      return out;
    });
  } else {
    track = vp9Track(width, height);
  }
  const frames = datas.map((data, i) => ({ track, dts: i * 3000, pts: i * 3000, key: i === 0, data }));
  return { track, frames };
}

/** The children of `b` of a given type. */
export function all(b: Box, type: string): Box[] {
  return children(b).filter((c) => c.type === type);
}

/** The first top-level box of a type. */
export function top(bytes: Uint8Array, type: string): Box {
  const b = parseBoxes(bytes).find((x) => x.type === type);
  if (!b) throw new Error(`no ${type} box`);
  return b;
}

export function view(b: Box): DataView {
  return new DataView(b.payload.buffer, b.payload.byteOffset, b.payload.byteLength);
}

export { concat } from "../../core/bytes.ts";
