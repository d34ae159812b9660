/**
 * Bad input never crashes the server and gets the right status: garbage, a missing CSeq, a huge
 * Content-Length, interleaved data on an unknown channel, a truncated FU-A sequence, SDPs with
 * unknown codecs or out-of-range fmtp values, and 403/404/454/455/459/461/501 cases. Meanwhile a real ffmpeg publisher and player
 * keep flowing.
 */
import assert from "node:assert/strict";
import type { Frame } from "../src/core/mod.ts";
import { h264Track, joinAvcc, splitAnnexB } from "../src/codecs/mod.ts";
import { RtpPacketizer } from "../src/formats/rtp/mod.ts";
import { toBase64 } from "../src/formats/sdp/mod.ts";
import { serializeRequest } from "../src/protocols/rtsp/mod.ts";
import { AAC, decodedFrames, ffmpegPublish, H264B, needed, startTestServer, waitFor } from "./support/mod.ts";
import { Raw } from "./support/rtsp_client.ts";

const H264_FILE = Deno.readFileSync(
  new URL("../src/formats/rtp/testdata/h264_320x240_bframes.h264", import.meta.url),
);

function h264Frames(): Frame[] {
  const nals = splitAnnexB(H264_FILE);
  const track = h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
  const frames: Frame[] = [];
  let cur: Uint8Array[] = [];
  for (const n of nals) {
    cur.push(n);
    const t = n[0] & 0x1f;
    if (t === 1 || t === 5) {
      frames.push({ track, dts: 0, pts: frames.length * 3000, key: t === 5, data: joinAvcc(cur) });
      cur = [];
    }
  }
  return frames;
}

function sdpFor(media: string[]): string {
  return ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=test", "t=0 0", ...media, ""].join("\r\n");
}

Deno.test("rtsp bad input: right statuses, dropped frames, no crash; other sessions keep flowing", async () => {
  // notfound=reject: DESCRIBE of a stream that is not live is 404 at once.
  const ts = await startTestServer({ rtmp: { notfound: "reject" } });
  const { hub } = ts;
  const port = ts.port("rtsp");
  const base = ts.rtsp("");
  const pub = ffmpegPublish({
    url: `${base}/live/good`,
    format: "rtsp",
    seconds: 8,
    size: "320x240",
    video: H264B,
    audio: AAC,
    extra: ["-rtsp_transport", "tcp"],
  });
  const opened: Raw[] = [];
  const open = async () => {
    const r = await Raw.open(port);
    opened.push(r);
    return r;
  };
  try {
    const good = await waitFor(() => hub.get("live/good"), 10_000, "the good publisher");
    await waitFor(() => good.stats.videoFrames, 10_000, "the good publisher's frames");
    const player = decodedFrames(`${base}/live/good`, {
      inputArgs: ["-rtsp_transport", "tcp"],
      timeoutMs: 30_000,
    });

    // Garbage: 400, then the connection is closed.
    let c = await open();
    await c.send("HELLO WORLD\r\n\r\n");
    assert.equal((await c.response()).status, 400);
    assert.ok(await c.closedByPeer());

    // A missing CSeq: 400, and the connection keeps working.
    c = await open();
    await c.send(`OPTIONS ${base}/live/x RTSP/1.0\r\n\r\n`);
    assert.equal((await c.response()).status, 400);
    assert.equal((await c.request("OPTIONS", `${base}/live/x`)).status, 200);

    // Interleaved data on a channel nobody set up is dropped; requests go on, even pipelined.
    await c.send(new Uint8Array([0x24, 7, 0, 4, 1, 2, 3, 4]));
    await c.send(serializeRequest("OPTIONS", "*", [["CSeq", "50"]]));
    await c.send(serializeRequest("GET_PARAMETER", `${base}/live/x`, [["CSeq", "51"]]));
    const [r50, r51] = [await c.response(), await c.response()];
    assert.deepEqual([r50.headers.get("cseq"), r50.status, r51.headers.get("cseq"), r51.status], [
      "50",
      200,
      "51",
      200,
    ]);

    // Unknown methods, missing streams, apps and sessions.
    assert.equal((await c.request("FLY", `${base}/live/x`)).status, 501);
    assert.equal((await c.request("DESCRIBE", `${base}/live/missing`)).status, 404);
    // An app that is not allowed is refused (403), as on HTTP-FLV: docs/api.md, Refusals.
    assert.equal((await c.request("DESCRIBE", `${base}/nope/good`)).status, 403);
    assert.equal((await c.request("DESCRIBE", `${base}/live/..bad`)).status, 400);
    assert.equal((await c.request("PLAY", `${base}/live/good`, [["Session", "DEADBEEF"]])).status, 454);
    assert.equal(
      (await c.request("SETUP", `${base}/live/good/trackID=0`, [["Transport", "RTP/AVP/TCP;unicast"]]))
        .status,
      455,
    );

    // 459 (aggregate SETUP of a two-track stream), 461 (multicast, SAVP), then a good SETUP.
    const d = await c.request("DESCRIBE", `${base}/live/good`);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get("content-base"), `${base}/live/good/`);
    assert.equal(
      (await c.request("SETUP", `${base}/live/good`, [["Transport", "RTP/AVP/TCP;unicast"]])).status,
      459,
    );
    assert.equal(
      (await c.request("SETUP", `${base}/live/good/trackID=0`, [["Transport", "RTP/AVP;multicast"]])).status,
      461,
    );
    assert.equal(
      (await c.request("SETUP", `${base}/live/good/trackID=0`, [[
        "Transport",
        "RTP/SAVP;unicast;client_port=5000-5001",
      ]])).status,
      461,
    );
    const s = await c.request("SETUP", `${base}/live/good/trackID=0`, [[
      "Transport",
      "RTP/AVP/TCP;unicast;interleaved=0-1",
    ]]);
    assert.equal(s.status, 200);
    const session = s.headers.get("session")!.split(";")[0];
    assert.equal((await c.request("RECORD", `${base}/live/good`, [["Session", session]])).status, 455);
    assert.equal((await c.request("TEARDOWN", `${base}/live/good`, [["Session", session]])).status, 200);

    // ANNOUNCE: unknown codecs only → 415; a busy stream → 455; a huge Content-Length → 413 and close.
    const unknown = sdpFor([
      "m=video 0 RTP/AVP 100",
      "a=rtpmap:100 THEORA/90000",
      "m=audio 0 RTP/AVP 101",
      "a=rtpmap:101 SPEEX/16000",
    ]);
    assert.equal(
      (await c.request("ANNOUNCE", `${base}/live/u`, [["Content-Type", "application/sdp"]], unknown)).status,
      415,
    );
    assert.equal(
      (await c.request(
        "ANNOUNCE",
        `${base}/live/u`,
        [["Content-Type", "application/sdp"]],
        "v=0\r\nthis is not sdp\r\n",
      )).status,
      400,
    );
    // SDP values out of the spec's ranges are 400 at ANNOUNCE (issue 10: a negative indexlength then
    // one RTP packet froze the server for seconds); the connection, and the server, keep answering.
    const aacSdp = (fmtp: string) =>
      sdpFor([
        "m=audio 0 RTP/AVP 97",
        "a=rtpmap:97 MPEG4-GENERIC/44100/2",
        `a=fmtp:97 streamtype=5;mode=AAC-hbr;config=1210;${fmtp}`,
        "a=control:streamid=0",
      ]);
    const refusedSdps = [
      aacSdp("sizelength=13;indexlength=-13;indexdeltalength=3"),
      aacSdp("sizelength=99"),
      sdpFor([
        "m=video 0 RTP/AVP 96",
        "a=rtpmap:96 H264/90000",
        "a=fmtp:96 sprop-parameter-sets=*not*,base64",
      ]),
      sdpFor(Array(600).fill("m=audio 0 RTP/AVP 8")),
    ];
    for (const body of refusedSdps) {
      const r = await c.request("ANNOUNCE", `${base}/live/evil`, [["Content-Type", "application/sdp"]], body);
      assert.equal(r.status, 400, body.slice(0, 120));
    }
    // The packet that used to spin the AU header loop: on a channel nobody set up, it is dropped.
    await c.send(new Uint8Array([0x24, 0, 0, 16, 0x80, 97, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 16, 0, 8]));
    const t0 = performance.now();
    assert.equal((await c.request("OPTIONS", `${base}/live/evil`)).status, 200);
    assert.ok(performance.now() - t0 < 1000, "the server answers at once");
    assert.equal(hub.get("live/evil"), undefined);

    const pcma = sdpFor(["m=audio 0 RTP/AVP 8", "a=control:streamid=0"]);
    const busy = await c.request(
      "ANNOUNCE",
      `${base}/live/good`,
      [["Content-Type", "application/sdp"]],
      pcma,
    );
    assert.equal(busy.status, 455);
    await c.send(`ANNOUNCE ${base}/live/big RTSP/1.0\r\nCSeq: 99\r\nContent-Length: 999999999\r\n\r\n`);
    assert.equal((await c.response()).status, 413);
    assert.ok(await c.closedByPeer());

    // A publisher with one unknown and one H.264 track; the second frame's FU-A loses its end
    // (sequence numbers stay contiguous): that frame and the rest of its GOP are dropped.
    const frames = h264Frames();
    const track = frames[0].track as { sps: Uint8Array; pps: readonly Uint8Array[] };
    c = await open();
    const sdp = sdpFor([
      "m=video 0 RTP/AVP 100",
      "a=rtpmap:100 THEORA/90000",
      "a=control:streamid=0",
      "m=video 0 RTP/AVP 96",
      "a=rtpmap:96 H264/90000",
      `a=fmtp:96 packetization-mode=1;sprop-parameter-sets=${toBase64(track.sps)},${toBase64(track.pps[0])}`,
      "a=control:streamid=1",
    ]);
    assert.equal(
      (await c.request("ANNOUNCE", `${base}/live/fu`, [["Content-Type", "application/sdp"]], sdp)).status,
      200,
    );
    const s1 = await c.request("SETUP", `${base}/live/fu/streamid=1`, [[
      "Transport",
      "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
    ]]);
    assert.equal(s1.status, 200);
    const sid = s1.headers.get("session")!.split(";")[0];
    assert.equal((await c.request("RECORD", `${base}/live/fu`, [["Session", sid]])).status, 200);
    const stream = hub.get("live/fu")!;
    const pk = new RtpPacketizer(frames[0].track, { payloadType: 96, ssrc: 1, mtu: 300 });
    const packets: Uint8Array[] = [];
    const gop2 = frames.map((f) => ({ ...f, pts: f.pts + frames.length * 3000 }));
    for (const [i, f] of [...frames, ...gop2].entries()) {
      const ps = pk.packets(f);
      if (i === 1) {
        assert.equal(ps[ps.length - 1][12] & 0x1f, 28, "frame 1 ends with FU-A");
        ps.pop(); // the FU end never comes
      }
      packets.push(...ps);
    }
    packets.forEach((p, i) => (p[2] = i >> 8, p[3] = i & 0xff)); // contiguous: no loss to see
    const wire: Uint8Array[] = [];
    for (const p of packets) wire.push(new Uint8Array([0x24, 2, p.length >> 8, p.length & 0xff]), p);
    wire.push(new Uint8Array([0x24, 9, 0, 2, 0, 0])); // and one on an unknown channel
    await c.send(new Uint8Array(wire.flatMap((b) => [...b])));
    assert.equal((await c.request("GET_PARAMETER", `${base}/live/fu`, [["Session", sid]])).status, 200);
    await waitFor(() => stream.stats.videoFrames >= 1, 5000, "the first frame");
    assert.equal((await c.request("TEARDOWN", `${base}/live/fu`, [["Session", sid]])).status, 200);
    await stream.ended;
    // The first keyframe and all of the second GOP; the broken frame and the rest of its GOP are gone.
    assert.equal(stream.stats.videoFrames, 1 + frames.length);
    assert.equal(stream.videoTrack?.codec, "h264");

    // The good stream kept flowing all along.
    await pub.exited;
    await pub.stop();
    const { frames: got } = await player;
    const sent = good.stats.videoFrames;
    assert.ok(got >= needed(sent, 0.5), `the good player got ${got} of ${sent} frames`);
    assert.deepEqual(ts.lines.filter((l) => / ERROR /.test(l)), []);
  } finally {
    for (const r of opened) r.close();
    await pub.stop();
    await ts.close();
  }
});
