/** Client frames for the WebSocket tables: the unit tests check them, the fuzzer mutates them. */
import { closePayload, frameHeader, OP } from "./websocket.ts";

/** A masked client frame. */
export function clientFrame(opcode: number, payload: Uint8Array, fin = true, masked = true): Uint8Array {
  const h = frameHeader(opcode, payload.length, fin);
  if (!masked) return Uint8Array.from([...h, ...payload]);
  h[1] |= 0x80;
  const mask = Uint8Array.of(1, 2, 3, 4);
  return Uint8Array.from([...h, ...mask, ...payload.map((b, i) => b ^ mask[i & 3])]);
}

export const bytes = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);

/** Broken client frames and the close code of their refusal. */
export const WS_FRAME_ERRORS: [string, Uint8Array, number][] = [
  ["unmasked", clientFrame(OP.binary, bytes(4), true, false), 1002],
  [
    "reserved bit",
    (() => {
      const f = clientFrame(OP.binary, bytes(4));
      f[0] |= 0x40;
      return f;
    })(),
    1002,
  ],
  ["reserved opcode", clientFrame(3, bytes(4)), 1002],
  ["fragmented ping", clientFrame(OP.ping, bytes(4), false), 1002],
  ["ping of 126 bytes", clientFrame(OP.ping, bytes(126)), 1002],
  ["frame over the limit", clientFrame(OP.binary, bytes(2000)), 1009],
];

/** A client session: a ping, a message in two fragments, a close. */
export const WS_SESSION: Uint8Array[] = [
  clientFrame(OP.ping, Uint8Array.of(7)),
  clientFrame(OP.binary, Uint8Array.of(1, 2), false),
  clientFrame(OP.continuation, Uint8Array.of(3), true),
  clientFrame(OP.close, closePayload(1000, "bye")),
];
