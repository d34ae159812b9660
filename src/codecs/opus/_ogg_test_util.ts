// Test helper of this folder (not part of the public API): a minimal Ogg Opus writer (RFC 3533,
// RFC 7845) so that ffmpeg can read the packets our encoder makes. One packet per page.
import { buildOpusHead } from "../opus.ts";

const CRC_TABLE = new Uint32Array(256).map((_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function crc32(b: Uint8Array): number {
  let crc = 0;
  for (const x of b) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ x) & 0xff]) >>> 0;
  return crc;
}

function page(packet: Uint8Array, o: { granule: number; seq: number; flags: number }): Uint8Array {
  const lacing: number[] = [];
  let n = packet.length;
  while (n >= 255) lacing.push(255), n -= 255;
  lacing.push(n);
  const out = new Uint8Array(27 + lacing.length + packet.length);
  const v = new DataView(out.buffer);
  out.set([0x4f, 0x67, 0x67, 0x53, 0, o.flags]);
  v.setBigUint64(6, BigInt(o.granule), true);
  v.setUint32(14, 0x45535455, true); // serial
  v.setUint32(18, o.seq, true);
  out[26] = lacing.length;
  out.set(lacing, 27);
  out.set(packet, 27 + lacing.length);
  v.setUint32(22, crc32(out), true);
  return out;
}

/**
 * An Ogg Opus file of 20 ms packets at 48 kHz with the given pre-skip; `samples` (the input's
 * length) sets the last granule position, which trims the padding of the last packet.
 */
export function oggOpus(
  packets: Uint8Array[],
  o: { channels: number; preSkip: number; samples: number },
): Uint8Array {
  const tags = new Uint8Array([
    ...new TextEncoder().encode("OpusTags"),
    7,
    0,
    0,
    0,
    ..."estuary".split("").map((c) => c.charCodeAt(0)),
    0,
    0,
    0,
    0,
  ]);
  const pages = [
    page(buildOpusHead({ channels: o.channels, preSkip: o.preSkip, inputSampleRate: 48000 }), {
      granule: 0,
      seq: 0,
      flags: 2,
    }),
    page(tags, { granule: 0, seq: 1, flags: 0 }),
  ];
  packets.forEach((p, i) => {
    const last = i === packets.length - 1;
    // The granule counts decoded samples, pre-skip included; the last one trims the padding.
    const granule = last ? o.preSkip + o.samples : (i + 1) * 960;
    pages.push(page(p, { granule, seq: i + 2, flags: last ? 4 : 0 }));
  });
  const out = new Uint8Array(pages.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pages) out.set(p, at), at += p.length;
  return out;
}
