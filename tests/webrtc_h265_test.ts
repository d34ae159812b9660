/**
 * H265 out over WHEP to a client whose offer has H265. This Chromium offers no H265 (see
 * tests/webrtc_codecs_test.ts: it gets audio only), so the client is werift (npm, a WebRTC stack of its
 * own) offering H265 recvonly: ffmpeg publishes libx265 over RTSP, the client POSTs its offer to the
 * WHEP endpoint, receives the RTP, reassembles the access units (RFC 7798) and ffmpeg decodes them.
 */
import assert from "node:assert/strict";
import { RTCPeerConnection, RTCRtpCodecParameters, useNACK, usePLI } from "werift";
import { ffmpegPublish, H265, OPUS, requireTool, run, startTestServer, waitLive } from "./support/mod.ts";
import { H265Unpacker } from "../src/formats/rtp/mod.ts";
import { joinAnnexB } from "../src/codecs/mod.ts";

requireTool("ffmpeg");

Deno.test("whep h265: a werift client offering H265 gets an RTSP H265 source's video as H265 (ffmpeg decodes it)", async () => {
  const ts = await startTestServer();
  const pub = ffmpegPublish({
    url: ts.rtsp("/live/hevc"),
    format: "rtsp",
    seconds: 40,
    size: "320x240",
    video: H265,
    audio: OPUS,
    extra: ["-rtsp_transport", "tcp"],
  });
  const client = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: "video/H265",
          clockRate: 90000,
          rtcpFeedback: [useNACK(), usePLI()],
        }),
      ],
    },
  });
  const dir = await Deno.makeTempDir();
  try {
    await waitLive(ts.hub, "live/hevc", { videoFrames: 30, timeoutMs: 25_000 });
    const units: Uint8Array[][] = [];
    let nals: Uint8Array[] = [];
    const unpacker = new H265Unpacker();
    let mime = "";
    client.addTransceiver("video", { direction: "recvonly" });
    client.onTrack.subscribe((t) => {
      mime = t.codec?.mimeType ?? "";
      t.onReceiveRtp.subscribe((p) => {
        unpacker.push(new Uint8Array(p.payload), nals);
        if (p.header.marker) {
          units.push(nals);
          nals = [];
        }
      });
    });
    await client.setLocalDescription(await client.createOffer());
    const res = await fetch(ts.http("/live/hevc/whep"), {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: client.localDescription!.sdp,
    });
    const answer = await res.text();
    assert.equal(res.status, 201, answer);
    assert.match(answer, /a=rtpmap:\d+ H265\/90000/);
    await client.setRemoteDescription({ type: "answer", sdp: answer });
    const end = Date.now() + 20_000;
    while (Date.now() < end && units.length < 90) await new Promise((r) => setTimeout(r, 100));
    const types = new Set(units.flat().map((n) => (n[0] >> 1) & 0x3f));
    console.log(
      `${units.length} H265 access units received (${mime}); NAL types ${[...types].sort((a, b) => a - b)}`,
    );
    assert.ok(units.length >= 90, `only ${units.length} access units`);
    for (const t of [32, 33, 34]) assert.ok(types.has(t), `parameter set NAL type ${t} in-band`);
    // ffmpeg decodes what arrived (from the first unit with parameter sets).
    const start = units.findIndex((u) => u.some((n) => ((n[0] >> 1) & 0x3f) === 32));
    const file = `${dir}/got.hevc`;
    await Deno.writeFile(file, joinAnnexB(units.slice(start).flat()));
    const r = await run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-f",
      "hevc",
      "-i",
      file,
      "-f",
      "null",
      "-",
      "-progress",
      "pipe:1",
    ], { timeoutMs: 30_000 });
    const decoded = Number([...r.stdout.matchAll(/^frame=(\d+)/gm)].pop()?.[1] ?? 0);
    console.log(`ffmpeg decoded ${decoded} frames of ${units.length - start}`);
    assert.ok(decoded >= 60, `ffmpeg decoded ${decoded}: ${r.stderr}`);
  } finally {
    await client.close();
    await pub.stop();
    await ts.close();
    await Deno.remove(dir, { recursive: true });
  }
});
