// Test helpers for this folder (not part of the public API).
import { splitAnnexB } from "../../codecs/nal.ts";

export function fixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));
}

/** Groups an Annex B elementary stream into access units (one slice per picture). */
export function accessUnits(bytes: Uint8Array, codec: "h264" | "h265"): Uint8Array[][] {
  const aus: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  for (const nal of splitAnnexB(bytes)) {
    cur.push(nal);
    const vcl = codec === "h264" ? [1, 5].includes(nal[0] & 0x1f) : ((nal[0] >> 1) & 0x3f) < 32;
    if (vcl) {
      aus.push(cur);
      cur = [];
    }
  }
  return aus;
}
