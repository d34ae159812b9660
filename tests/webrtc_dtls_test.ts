/**
 * DTLS with a werift viewer as the DTLS server (the WHEP server answers `a=setup:active`): when part
 * of the server's flight 5 is lost (simulated at the viewer's DTLS socket), the viewer handles the
 * retransmitted ClientKeyExchange; with guardDtlsServerKeyExchange (peer.ts) the handshake completes
 * and the SRTP keys of both sides agree (every media packet authenticates). Without the guard, werift
 * derived the extended master secret over a transcript that already held the lost flight's
 * CertificateVerify or Finished, and none of these cases connected.
 */
import assert from "node:assert/strict";
import { RTCPeerConnection, useH264 } from "werift";
import { Hub } from "../src/core/mod.ts";
import type { Frame, H264Track } from "../src/core/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import { WebrtcSessions, type WebrtcSettings } from "../src/protocols/webrtc/mod.ts";
import { guardDtlsServerKeyExchange } from "../src/protocols/webrtc/peer.ts";

const TRACK: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 320,
  height: 240,
  fps: 10,
  sps: new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01]),
  pps: [new Uint8Array([0x68, 0xce, 0x3c, 0x80])],
  profile: 0x42,
  compat: 0xc0,
  level: 0x1f,
};

function picture(n: number): Frame {
  const size = 3000;
  const data = new Uint8Array(4 + size);
  new DataView(data.buffer).setUint32(0, size);
  data[4] = n % 10 === 0 ? 0x65 : 0x41;
  for (let i = 5; i < data.length; i++) data[i] = (i * 7 + n) & 0xff;
  return { track: TRACK, dts: n * 9000, pts: n * 9000, key: n % 10 === 0, data };
}

type Handshakes = (assembled: { msg_type: number }[]) => Promise<void>;

/** Drops the first delivery of the handshake types in `lose` at the viewer's DTLS socket. */
function loseOnce(pc: RTCPeerConnection, lose: number[], dropped: number[]) {
  for (const t of pc.dtlsTransports) {
    const sub = t.onStateChange.subscribe((st) => {
      if (st !== "connecting") return;
      sub.unSubscribe();
      queueMicrotask(() => {
        const sock = t.dtls as unknown as { onHandleHandshakes: Handshakes };
        const handle = sock.onHandleHandshakes;
        const pending = new Set(lose);
        sock.onHandleHandshakes = (assembled) => {
          const kept = assembled.filter((h) => {
            if (!pending.has(h.msg_type)) return true;
            pending.delete(h.msg_type);
            dropped.push(h.msg_type);
            return false;
          });
          return kept.length ? handle(kept) : Promise.resolve();
        };
      });
    });
  }
}

async function run(lose: number[]) {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 1000, maxBytes: 64 * 1024 * 1024 },
    maxIdleMs: 0,
  });
  const stream = await hub.publish({
    role: "publisher",
    protocol: "test",
    app: "live",
    name: "d",
    vhost: "",
    query: "",
  });
  stream.setTrack(TRACK);
  const min = 42000 + 2 * Math.floor(Math.random() * 5000);
  const settings: WebrtcSettings = {
    portRange: [min, min + 99],
    listenHost: "127.0.0.1",
    natHost: "",
    iceServers: [],
    connectTimeoutMs: 10_000,
    silenceTimeoutMs: 10_000,
    mtu: 1200,
    nackMs: 1500,
    bframes: "drop",
    transcode: null,
    iceTcp: false,
    dropPercent: 0,
  };
  const rtc = new WebrtcSessions(settings, nullLogger);
  const session = await rtc.openPlayer(stream, "test");
  const client = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useH264()] },
  });
  let ok = 0, failed = 0, n = 0;
  const dropped: number[] = [];
  let feed: ReturnType<typeof setInterval> | undefined;
  try {
    client.addTransceiver("video", { direction: "recvonly" });
    await client.setLocalDescription(await client.createOffer());
    loseOnce(client, lose, dropped);
    guardDtlsServerKeyExchange(client);
    const answer = await session.answer(client.localDescription!.sdp);
    assert.match(answer, /a=setup:active/, "the server is the DTLS client");
    await client.setRemoteDescription({ type: "answer", sdp: answer });
    for (const t of client.dtlsTransports) {
      const sub = t.onStateChange.subscribe((st) => {
        if (st !== "connected") return;
        sub.unSubscribe();
        const srtp = t.srtp as unknown as { decrypt: (b: Uint8Array) => Uint8Array };
        const real = srtp.decrypt.bind(srtp);
        srtp.decrypt = (buf) => {
          try {
            const out = real(buf);
            ok++;
            return out;
          } catch (err) {
            failed++;
            throw err;
          }
        };
      });
    }
    feed = setInterval(() => stream.write(picture(n++)), 100);
    const end = Date.now() + 12_000;
    while (Date.now() < end && ok + failed < 60) await new Promise((r) => setTimeout(r, 50));
    return { ok, failed, dropped, state: session.stats().state };
  } finally {
    clearInterval(feed);
    session.close("test over");
    await client.close();
    stream.end("test over");
    hub.close();
  }
}

// ClientKeyExchange (16), CertificateVerify (15), Finished (20) of the server's flight 5.
for (const lose of [[], [16], [15], [20], [16, 20]]) {
  Deno.test(`whep: werift viewer as DTLS server, flight 5 losing [${lose}]: SRTP keys agree`, async () => {
    const r = await run(lose);
    console.log(JSON.stringify({ lose, ...r }));
    assert.deepEqual(r.dropped.sort(), [...lose].sort(), "the loss was simulated");
    assert.ok(r.ok + r.failed >= 60, `only ${r.ok + r.failed} media packets (${r.state})`);
    assert.equal(r.failed, 0, `${r.failed} of ${r.ok + r.failed} packets failed SRTP authentication`);
  });
}
