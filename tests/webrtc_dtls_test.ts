/**
 * DTLS with a werift viewer as the DTLS server (the WHEP server answers `a=setup:active`): when part
 * of the server's flight 5 is lost (simulated at the viewer's DTLS socket), the viewer handles the
 * retransmitted ClientKeyExchange; with guardDtlsServerKeyExchange (peer.ts) the handshake completes
 * and the SRTP keys of both sides agree (every media packet authenticates). Without the guard, werift
 * derived the extended master secret over a transcript that already held the lost flight's
 * CertificateVerify or Finished, and none of these cases connected.
 */
import assert from "node:assert/strict";
import type { RTCPeerConnection } from "werift";
import { guardDtlsServerKeyExchange } from "../src/protocols/webrtc/peer.ts";
import { h264Track, picture, whepRig } from "./support/whep_rig.ts";

const TRACK = h264Track(320, 240);

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
  const { stream, session, client, close } = await whepRig({ name: "d", track: TRACK, portBase: 42000 });
  let ok = 0, failed = 0, n = 0;
  const dropped: number[] = [];
  let feed: ReturnType<typeof setInterval> | undefined;
  try {
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
    feed = setInterval(() => stream.write(picture(TRACK, n++, 3000)), 100);
    const end = Date.now() + 12_000;
    while (Date.now() < end && ok + failed < 60) await new Promise((r) => setTimeout(r, 50));
    return { ok, failed, dropped, state: session.stats().state };
  } finally {
    clearInterval(feed);
    await close();
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
