import assert from "node:assert/strict";
import {
  adopt,
  agree,
  cipherCode,
  readConclusion,
  Refusal,
  requestHsReq,
  responseHsReq,
} from "./negotiation.ts";
import { encodeHsReq, encodeStringExt, ExtType, LIVE_FLAGS, SrtFlag } from "./extensions.ts";
import { ExtFlag, type Handshake, HandshakeType, RejectReason } from "./handshake.ts";

function conclusion(over: Partial<Handshake> = {}): Handshake {
  return {
    version: 5,
    encryption: 0,
    extensionField: ExtFlag.HsReq | ExtFlag.Config,
    isn: 1,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.Conclusion,
    socketId: 9,
    cookie: 7,
    peerIp: new Uint8Array(16),
    extensions: [
      {
        type: ExtType.HsReq,
        data: encodeHsReq({ version: 0x010501, flags: 0xbf, recvDelayMs: 200, sendDelayMs: 0 }),
      },
      { type: ExtType.Sid, data: encodeStringExt("#!::r=live/feed,m=publish") },
    ],
    ...over,
  };
}

Deno.test("readConclusion accepts a libsrt 1.5 caller and reads its stream id", () => {
  const r = readConclusion(conclusion());
  assert.ok(!(r instanceof Refusal));
  assert.equal(r.streamId, "#!::r=live/feed,m=publish");
  assert.equal(r.km, undefined);
  assert.equal(r.hsReq.recvDelayMs, 200);
});

Deno.test("readConclusion refuses what we cannot serve, with libsrt's reasons", () => {
  const hsreq = (flags: number, version = 0x010500) => ({
    type: ExtType.HsReq,
    data: encodeHsReq({ version, flags, recvDelayMs: 120, sendDelayMs: 0 }),
  });
  const cases: [string, Handshake, number][] = [
    ["HSv4 caller", conclusion({ version: 4 }), RejectReason.Version],
    ["no extension flags", conclusion({ extensionField: 0 }), RejectReason.Rogue],
    ["no HSREQ", conclusion({ extensions: [] }), RejectReason.Rogue],
    ["old SRT version", conclusion({ extensions: [hsreq(0xbf, 0x010200)] }), RejectReason.Rogue],
    ["stream mode", conclusion({ extensions: [hsreq(0xbf | SrtFlag.Stream)] }), RejectReason.MessageApi],
    [
      "KMREQ flag without KM",
      conclusion({ extensionField: 3, extensions: [hsreq(0xbf)] }),
      RejectReason.Rogue,
    ],
    [
      "file congestion control",
      conclusion({ extensions: [hsreq(0xbf), { type: ExtType.Congestion, data: encodeStringExt("file") }] }),
      RejectReason.Congestion,
    ],
    [
      "packet filter",
      conclusion({ extensions: [hsreq(0xbf), { type: ExtType.Filter, data: encodeStringExt("fec") }] }),
      RejectReason.Filter,
    ],
    [
      "empty stream id",
      conclusion({ extensions: [hsreq(0xbf), { type: ExtType.Sid, data: new Uint8Array(4) }] }),
      RejectReason.Rogue,
    ],
  ];
  for (const [name, hs, reason] of cases) {
    const r = readConclusion(hs);
    assert.ok(r instanceof Refusal, name);
    assert.equal(r.reason, reason, name);
  }
  // Unknown and GROUP extensions are skipped.
  const ok = readConclusion(conclusion({ extensions: [hsreq(0xbf), { type: 99, data: new Uint8Array(8) }] }));
  assert.ok(!(ok instanceof Refusal));
});

Deno.test("latency: each direction takes the larger proposal, and the caller adopts it", () => {
  const cases: [number, number, number, number, number][] = [
    // caller recv, caller send (peer latency), listener latency → listener recv, listener peer
    [120, 0, 120, 120, 120],
    [200, 0, 120, 120, 200],
    [120, 300, 120, 300, 120],
    [80, 80, 500, 500, 500],
  ];
  for (const [crecv, csend, ours, recv, peer] of cases) {
    const req = { version: 0x010500, flags: 0xbf, recvDelayMs: crecv, sendDelayMs: csend };
    const a = agree(req, ours);
    assert.deepEqual([a.recvLatencyMs, a.peerLatencyMs], [recv, peer]);
    const rsp = responseHsReq(req, a);
    const back = adopt(rsp);
    assert.deepEqual([back.recvLatencyMs, back.peerLatencyMs], [peer, recv], "the caller sees the mirror");
    assert.ok(back.tooLateDrop && back.peerNakReport);
  }
  assert.equal(requestHsReq(120).flags, LIVE_FLAGS);
  assert.deepEqual([cipherCode(0), cipherCode(16), cipherCode(24), cipherCode(32)], [0, 2, 3, 4]);
});
