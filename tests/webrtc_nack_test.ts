/**
 * NACK retransmission from the stream's time-sized buffer: a WHEP session (the real WhepSession and
 * shared RTP output) sends 160 KB keyframe-sized pictures (≈ 140 packets each, more than werift's
 * 128-packet history) to a werift receiver while werift drops 5 % of the outgoing packets. The
 * receiver NACKs what it missed (every 5 ms until it arrives); ≥ 98 % of the packets must arrive,
 * resent from the stream's buffer (`<rtc><nackms>`), and the repeated NACKs must not turn into a
 * storm (resends < 25 % of the packets).
 */
import assert from "node:assert/strict";
import { h264Track, picture, whepRig } from "./support/whep_rig.ts";

const TRACK = h264Track(1280, 720);

Deno.test("whep: NACKs are answered from the stream's buffer, once per packet and gap (5 % loss)", async () => {
  const { stream, session, client, close } = await whepRig({
    name: "n",
    track: TRACK,
    portBase: 40000,
    dropPercent: 5,
  });
  const seen = new Set<number>();
  let n = 0;
  let feed: ReturnType<typeof setInterval> | undefined;
  try {
    client.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => seen.add(p.header.sequenceNumber)));
    await client.setLocalDescription(await client.createOffer());
    const answer = await session.answer(client.localDescription!.sdp);
    await client.setRemoteDescription({ type: "answer", sdp: answer });
    // Pictures start once the session sends (no GOP-cache burst at the start).
    const connected = Date.now() + 10_000;
    while (Date.now() < connected && session.stats().state !== "connected") {
      await new Promise((r) => setTimeout(r, 20));
    }
    feed = setInterval(() => stream.write(picture(TRACK, n++, 160_000, 31)), 100);
    const end = Date.now() + 15_000;
    while (Date.now() < end && session.stats().packetsSent < 3000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let the last NACK rounds finish.
    await new Promise((r) => setTimeout(r, 500));
    const s = session.stats();
    const seqs = [...seen].sort((a, b) => a - b);
    // The range of sequence numbers the viewer should have (no wrap in a few thousand packets from < 32768).
    const first = seqs[0], last = seqs[seqs.length - 1];
    const share = seen.size / (last - first + 1);
    console.log(
      `sent ${s.packetsSent} packets (${s.framesSent} pictures) with 5 % dropped: received ` +
        `${(share * 100).toFixed(2)} % of ${last - first + 1}; ${s.retransmits} retransmitted from the ` +
        `stream's buffer, ${s.nackMisses} too old, ${s.nackRecent} repeats ignored, ${s.nackOverBudget} over budget`,
    );
    assert.ok(s.packetsSent >= 2000, `only ${s.packetsSent} packets sent`);
    // The receiver shares this process (and its event loop) with the sender, so a burst can overflow
    // its socket too; ≥ 98 % is what the NACK path must reach here (the loss without it is 5 %).
    assert.ok(share >= 0.98, `received ${share}`);
    assert.ok(s.retransmits > 0, "no NACK needed the stream's buffer");
    // No NACK storm: werift repeats a NACK every 5 ms until the packet comes, and answering each
    // repeat (werift's own history did, before takeOverNacks) resent 34-70 % of the packets here
    // on a loaded machine.
    assert.ok(s.retransmits < 0.25 * s.packetsSent, `${s.retransmits} resends for ${s.packetsSent} packets`);
  } finally {
    clearInterval(feed);
    await close();
  }
});
