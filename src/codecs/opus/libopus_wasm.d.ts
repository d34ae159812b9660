// Types of the `wasm/index.js` entry of @evan/opus (it ships none for that entry).
export class Encoder {
  constructor(
    o: { channels: number; sample_rate: number; application: "audio" | "voip" | "restricted_lowdelay" },
  );
  encode(pcm: Uint8Array): Uint8Array;
  ctl(request: number, value?: number): number;
  drop(): void;
}
export class Decoder {
  constructor(o: { channels: number; sample_rate: number });
  decode(packet: Uint8Array): Uint8Array;
  ctl(request: number, value?: number): number;
  drop(): void;
}
