import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ProtectionProfileAes128CmHmacSha1_80, RTCRtpSender, RtpPacket, SrtpSession } from "werift";
import { DirectRtpSender } from "./direct_send.ts";
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
  assert.equal(raw.dtlsTransport.packetsSent, 4);
  // A packet with extensions or CSRCs is left to werift.
  const ext = shared(1, 1, false, 10);
  ext[0] = 0x90;
  assert.equal(direct.send(ext), undefined);
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
