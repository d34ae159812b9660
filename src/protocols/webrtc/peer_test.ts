import assert from "node:assert/strict";
import dgram from "node:dgram";
import { type RTCPeerConnection, RTCRtpSender } from "werift";
import { smallReceives, takeOverNacks, WHEP_RECEIVE_BYTES } from "./peer.ts";

Deno.test("takeOverNacks: werift's sender keeps no packet history afterwards (pins its rtpCache field)", () => {
  const sender = new RTCRtpSender("video");
  // deno-lint-ignore no-explicit-any
  const raw = sender as any;
  assert.ok(
    Array.isArray(raw.rtpCache),
    "werift's RTCRtpSender has an rtpCache array (RTP_HISTORY_SIZE slots)",
  );
  assert.equal(takeOverNacks(sender), true);
  raw.rtpCache[5] = { header: { sequenceNumber: 5 } };
  assert.equal(raw.rtpCache[5], undefined);
  raw.rtpCache = [{ header: { sequenceNumber: 0 } }]; // werift's scheduleRtpContinuity
  assert.equal(raw.rtpCache[0], undefined);
});

Deno.test("takeOverNacks: a sender without werift's history is left alone", () => {
  const other = { rtpCache: new Map() };
  assert.equal(takeOverNacks(other as unknown as RTCRtpSender), false);
  assert.ok(other.rtpCache instanceof Map);
});

Deno.test("smallReceives: every UDP socket of the ICE transports; datagrams of up to 4 KiB still arrive whole", async () => {
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await new Promise((r) => sock.once("listening", r));
  const got: number[] = [];
  sock.on("message", (m: Uint8Array) => got.push(m.length));
  const pc = {
    iceTransports: [
      { connection: { protocols: [{ transport: { socket: sock } }, { transport: {} }, {}] } },
      { connection: {} },
    ],
  } as unknown as RTCPeerConnection;
  try {
    assert.equal(smallReceives(pc), 1);
    const tx = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: sock.address().port };
    for (const n of [60, 1200, WHEP_RECEIVE_BYTES]) await tx.send(new Uint8Array(n), to);
    const end = Date.now() + 3000;
    while (got.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    tx.close();
    assert.deepEqual(got, [60, 1200, WHEP_RECEIVE_BYTES]);
  } finally {
    sock.close();
  }
});
