import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { clientHello, clientResponse, HANDSHAKE_SIZE, serverHandshake } from "./handshake.ts";

const fixture = (name: string) => Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));

const real = [
  { name: "ffmpeg (digest)", file: "ffmpeg_c0c1.bin", kind: "complex" },
  { name: "rtmpdump (version 0)", file: "rtmpdump_c0c1.bin", kind: "simple" },
];

for (const c of real) {
  Deno.test(`handshake: ${c.name} C0C1 gets a ${c.kind} answer`, () => {
    const c0c1 = fixture(c.file);
    const r = serverHandshake(c0c1);
    assert.equal(r.kind, c.kind);
    assert.equal(r.reply.byteLength, 1 + 2 * HANDSHAKE_SIZE);
    assert.equal(r.reply[0], 3);
    if (c.kind === "simple") assert.deepEqual(r.reply.subarray(1 + HANDSHAKE_SIZE), c0c1.subarray(1));
  });
}

Deno.test("handshake: a corrupted digest falls back to simple", () => {
  const c0c1 = fixture("ffmpeg_c0c1.bin").slice();
  for (let i = 9; i < c0c1.byteLength; i += 7) c0c1[i] ^= 0x55;
  assert.equal(serverHandshake(c0c1).kind, "simple");
});

for (const complex of [true, false]) {
  Deno.test(`handshake: our client against our server (${complex ? "complex" : "simple"})`, () => {
    const hello = clientHello(complex);
    const { reply, kind } = serverHandshake(hello.bytes);
    assert.equal(kind, complex ? "complex" : "simple");
    const s1 = reply.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = reply.subarray(1 + HANDSHAKE_SIZE);
    const res = clientResponse(hello, s1, s2);
    assert.equal(res.kind, kind);
    assert.equal(res.verified, true);
    assert.equal(res.c2.byteLength, HANDSHAKE_SIZE);
  });
}

const bad = [
  {
    name: "RTMPE version 6",
    bytes: (() => {
      const b = new Uint8Array(1537);
      b[0] = 6;
      return b;
    })(),
    rule: /version 6 in C0 is not supported/,
  },
  { name: "short C0C1", bytes: new Uint8Array(100), rule: /C0\+C1 of 100 bytes is invalid/ },
];
for (const c of bad) {
  Deno.test(`handshake: ${c.name} is a ProtocolError`, () => {
    assert.throws(
      () => serverHandshake(c.bytes),
      (e: unknown) => e instanceof ProtocolError && c.rule.test(e.message),
    );
  });
}
