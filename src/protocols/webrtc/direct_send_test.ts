import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ProtectionProfileAes128CmHmacSha1_80, RTCRtpSender, RtpPacket, SrtpSession } from "werift";
import dgram from "node:dgram";
import { DirectRtpSender, type SendWay } from "./direct_send.ts";
import { patchSrtpContext } from "./srtp.ts";

function srtpPair() {
  const key = Buffer.alloc(16, 3), salt = Buffer.alloc(14, 5);
  const keys = { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt };
  const profile = ProtectionProfileAes128CmHmacSha1_80;
  return { local: new SrtpSession({ keys, profile }), remote: new SrtpSession({ keys, profile }) };
}

/** A shared packet as rtp_out.ts builds it: 12-byte header, SSRC and payload type of the stream. */
function shared(seq: number, ts: number, marker: boolean, size: number): Buffer {
  const p = Buffer.alloc(12 + size);
  p[0] = 0x80;
  p[1] = (marker ? 0x80 : 0) | 96;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(ts, 4);
  p.writeUInt32BE(0xdeadbeef, 8);
  for (let i = 12; i < p.length; i++) p[i] = i & 0xff;
  return p;
}

Deno.test("DirectRtpSender: the viewer's SSRC and payload type, SRTP werift decrypts, sender-report counters", async () => {
  const { local, remote } = srtpPair();
  const enc = patchSrtpContext(local.localContext)!;
  const sender = new RTCRtpSender("video");
  // deno-lint-ignore no-explicit-any
  const raw = sender as any;
  // werift's fields this relies on (a werift upgrade that renames them fails here).
  for (const f of ["octetCount", "packetCount", "headerBytesSent", "ssrc"]) {
    assert.equal(typeof raw[f], "number", `RTCRtpSender.${f}`);
  }
  assert.equal(typeof raw.runRtcp, "function");
  for (const f of ["rtcpRunning", "stopped"]) assert.equal(typeof raw[f], "boolean", `RTCRtpSender.${f}`);
  const wire: Buffer[] = [];
  raw.runRtcp = () => Promise.resolve();
  raw.dtlsTransport = {
    config: {},
    bytesSent: 0,
    packetsSent: 0,
    srtp: local,
    iceTransport: { connection: { send: (b: Buffer) => (wire.push(b), Promise.resolve()) } },
  };
  const direct = DirectRtpSender.create(sender, enc, 102)!;
  assert.ok(direct);
  const packets = [
    shared(65534, 1000, false, 1100),
    shared(65535, 1000, true, 1100),
    shared(0, 4000, false, 7),
  ];
  for (const p of packets) await direct.send(p);
  await direct.send(packets[0], true); // a retransmission
  assert.equal(wire.length, 4);
  for (const [i, w] of wire.entries()) {
    const p = RtpPacket.deSerialize(remote.decrypt(w));
    const src = packets[i % 3];
    assert.equal(p.header.ssrc, raw.ssrc);
    assert.equal(p.header.payloadType, 102);
    assert.equal(p.header.sequenceNumber, src.readUInt16BE(2));
    assert.equal(p.header.timestamp, src.readUInt32BE(4));
    assert.equal(p.header.marker, (src[1] & 0x80) !== 0);
    assert.deepEqual(p.payload, src.subarray(12));
  }
  // The shared packets are left as they were (every viewer sends the same ones).
  assert.equal(packets[0].readUInt32BE(8), 0xdeadbeef);
  assert.equal(raw.packetCount, 3, "retransmissions are not counted in sender reports");
  assert.equal(raw.octetCount, 2207);
  assert.equal(raw.rtpTimestamp, 4000);
  // The NTP time of the last packet sent (32.32 fixed point since 1900), now.
  const ntpSeconds = Number(raw.ntpTimestamp >> 32n) - 2_208_988_800;
  assert.ok(Math.abs(ntpSeconds - Date.now() / 1000) < 2, `NTP ${raw.ntpTimestamp}`);
  assert.equal(raw.dtlsTransport.packetsSent, 4);
  // A packet with extensions or CSRCs is left to werift.
  const ext = shared(1, 1, false, 10);
  ext[0] = 0x90;
  assert.equal(direct.send(ext), false);
});

Deno.test("DirectRtpSender.create: undefined when werift's sender is not the expected shape", () => {
  const { local } = srtpPair();
  const enc = patchSrtpContext(local.localContext)!;
  assert.equal(DirectRtpSender.create({} as unknown as RTCRtpSender, enc, 96), undefined);
  assert.equal(
    DirectRtpSender.create(new RTCRtpSender("video"), enc, 96),
    undefined,
    "no DTLS transport yet",
  );
});

/** A werift sender whose ICE connection has a nominated pair on a real UDP socket, as werift's. */
async function onSocket(ways: SendWay[]) {
  const { local, remote } = srtpPair();
  const enc = patchSrtpContext(local.localContext)!;
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await new Promise((r) => sock.once("listening", r));
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const pair = {
    protocol: { transport: { type: "udp", closed: false, socket: sock } },
    remoteAddr: ["127.0.0.1", (sink.addr as Deno.NetAddr).port] as [string, number],
    packetsSent: 0,
    bytesSent: 0,
  };
  const viaWerift: Buffer[] = [];
  const connection = {
    consent: true,
    nominated: pair as typeof pair | undefined,
    canSendApplicationData() {
      return this.consent && !!this.nominated;
    },
    send: (b: Buffer) => (viaWerift.push(b), Promise.resolve()),
  };
  const sender = new RTCRtpSender("video");
  // deno-lint-ignore no-explicit-any
  const raw = sender as any;
  raw.runRtcp = () => Promise.resolve();
  raw.dtlsTransport = { config: {}, bytesSent: 0, packetsSent: 0, srtp: local, iceTransport: { connection } };
  const direct = DirectRtpSender.create(sender, enc, 102, new Set(ways))!;
  const receive = async (n: number) => {
    const got: RtpPacket[] = [];
    while (got.length < n) {
      got.push(RtpPacket.deSerialize(remote.decrypt(Buffer.from((await sink.receive())[0]))));
    }
    return got.sort((a, b) => a.header.sequenceNumber - b.header.sequenceNumber);
  };
  const close = () => {
    direct.close();
    sock.close();
    sink.close();
  };
  return { direct, pair, connection, viaWerift, receive, close, raw };
}

for (const way of ["ffi", "handle"] as const) {
  Deno.test(`DirectRtpSender (${way}): SRTP on the nominated pair's socket, not through werift's ICE send`, async () => {
    const t = await onSocket([way]);
    try {
      const packets = [shared(10, 90, false, 1100), shared(11, 90, true, 500), shared(12, 3090, true, 20)];
      for (const p of packets) assert.equal(t.direct.send(p), true);
      assert.equal(t.direct.way, way);
      const got = await t.receive(3);
      for (const [i, p] of got.entries()) {
        assert.equal(p.header.ssrc, t.raw.ssrc);
        assert.equal(p.header.payloadType, 102);
        assert.equal(p.header.sequenceNumber, 10 + i);
        assert.deepEqual(p.payload, packets[i].subarray(12));
      }
      assert.equal(t.viaWerift.length, 0);
      assert.equal(t.pair.packetsSent, 3);
      assert.equal(t.pair.bytesSent, (12 + 1100 + 10) + (12 + 500 + 10) + (12 + 20 + 10));
      assert.equal(t.raw.dtlsTransport.packetsSent, 3);
      assert.equal(t.raw.packetCount, 3);
      // No ICE consent: dropped, as werift drops it.
      t.connection.consent = false;
      assert.equal(t.direct.send(shared(13, 3090, true, 20)), true);
      assert.equal(t.pair.packetsSent, 3);
      t.connection.consent = true;
      // After close (the session ended), what is still sent goes werift's way.
      t.direct.close();
      assert.equal(t.direct.way, "werift");
      await t.direct.send(shared(14, 3090, true, 20));
      assert.equal(t.viaWerift.length, 1);
      assert.equal(t.direct.sendErrors, 0);
    } finally {
      t.close();
    }
  });
}

Deno.test("DirectRtpSender: werift's ICE send for a pair that is not a plain UDP socket, or with both ways off", async () => {
  const t = await onSocket(["ffi", "handle"]);
  try {
    t.pair.protocol.transport.type = "tcp";
    await t.direct.send(shared(1, 1, true, 30));
    assert.equal(t.direct.way, "werift");
    assert.equal(t.viaWerift.length, 1);
    // A new nominated pair is looked at again.
    t.connection.nominated = {
      ...t.pair,
      protocol: { transport: { ...t.pair.protocol.transport, type: "udp" } },
    };
    assert.equal(t.direct.send(shared(2, 1, true, 30)), true);
    assert.equal(t.direct.way, "ffi");
    assert.equal((await t.receive(1))[0].header.sequenceNumber, 2);
  } finally {
    t.close();
  }
  const w = await onSocket([]);
  try {
    await w.direct.send(shared(1, 1, true, 30));
    assert.equal(w.direct.way, "werift");
    assert.equal(w.viaWerift.length, 1);
  } finally {
    w.close();
  }
});
