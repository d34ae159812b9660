// Test helpers shared by this folder's tests (not part of the public API).
export function fixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Packets of the first logical stream of an Ogg file (RFC 3533), joined across lacing. */
export function oggPackets(file: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: number[] = [];
  let o = 0;
  while (o + 27 <= file.length) {
    const segments = file[o + 26];
    const table = file.subarray(o + 27, o + 27 + segments);
    let p = o + 27 + segments;
    for (const len of table) {
      pending.push(...file.subarray(p, p + len));
      p += len;
      if (len < 255) {
        packets.push(Uint8Array.from(pending));
        pending = [];
      }
    }
    o = p;
  }
  return packets;
}
