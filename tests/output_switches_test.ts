/**
 * config.xml's per-protocol output switches, with real clients: `<rtsp><hasrtmp>false` keeps a camera
 * published over RTSP (ffmpeg) on RTSP only (ffmpeg plays it over RTSP; RTMP, HTTP-FLV and HLS get not
 * found; /api/live lists only its RTSP URL), and `<rtmp><hassrt>false` offers nothing over SRT
 * (srt-live-transmit gets nothing) while RTMP and RTSP play on.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { pullWithSrtLiveTransmit } from "./support/srt_client.ts";

requireTool("ffmpeg");
requireTool("srt-live-transmit");

Deno.test("output switches: rtsp hasrtmp=false keeps an RTSP camera on RTSP; rtmp hassrt=false closes SRT playback", async () => {
  const ts = await startTestServer({ rtsp: { hasrtmp: false }, rtmp: { hassrt: false } });
  const pubs = [
    ffmpegPublish({
      url: ts.rtsp("/live/cam"),
      format: "rtsp",
      seconds: 40,
      size: "320x240",
      video: H264B,
      audio: AAC,
      extra: ["-rtsp_transport", "tcp"],
    }),
    ffmpegPublish({
      url: ts.rtmp("/live/r"),
      format: "flv",
      seconds: 40,
      size: "320x240",
      video: H264B,
      audio: AAC,
    }),
  ];
  try {
    await waitLive(ts.hub, "live/cam");
    await waitLive(ts.hub, "live/r");
    const rtspArgs = { inputArgs: ["-rtsp_transport", "tcp"] };
    const [camOverRtsp, camOverRtmp, rOverRtmp, rOverRtsp] = await Promise.all([
      decodedFrames(ts.rtsp("/live/cam"), { frames: 30, timeoutMs: 15_000, ...rtspArgs }),
      decodedFrames(ts.rtmp("/live/cam"), { frames: 30, timeoutMs: 10_000 }),
      decodedFrames(ts.rtmp("/live/r"), { frames: 30, timeoutMs: 15_000 }),
      decodedFrames(ts.rtsp("/live/r"), { frames: 30, timeoutMs: 15_000, ...rtspArgs }),
    ]);
    assert.equal(camOverRtsp.frames, 30, camOverRtsp.stderr.slice(-300));
    assert.equal(camOverRtmp.frames, 0, "the RTSP camera is not played over RTMP");
    assert.notEqual(camOverRtmp.code, 0);
    assert.equal(rOverRtmp.frames, 30, rOverRtmp.stderr.slice(-300));
    assert.equal(rOverRtsp.frames, 30, rOverRtsp.stderr.slice(-300));

    for (const path of ["/live/cam.flv", "/live/cam.m3u8", "/live/cam.mpd"]) {
      const res = await fetch(ts.http(path));
      const body = await res.json();
      assert.equal(res.status, 404, path);
      assert.match(
        body.msg,
        /not offered over http: it is published over RTSP and <rtsp><hasrtmp> is false/,
        path,
      );
    }
    const live = await (await fetch(ts.http("/api/live?app=live&name=cam"))).json();
    assert.deepEqual(live.urls.map((u: { type: string }) => u.type), ["rtsp"]);
    const liveR = await (await fetch(ts.http("/api/live?app=live&name=r"))).json();
    assert.ok(!liveR.urls.some((u: { type: string }) => u.type === "srt"), JSON.stringify(liveR.urls));

    // SRT playback is off for every stream: srt-live-transmit is refused and receives nothing.
    const pulled = await pullWithSrtLiveTransmit(ts.srt("#!::r=live/r,m=request"), 3).catch(() =>
      new Uint8Array()
    );
    assert.equal(pulled.length, 0);
    assert.ok(
      ts.lines.some((l) => l.includes("not offered over srt: <rtmp><hassrt> is false")),
      "one log line says why",
    );
    console.log(
      `output switches: RTSP camera ${camOverRtsp.frames} frames over RTSP, ${camOverRtmp.frames} over RTMP; RTMP stream ${rOverRtmp.frames} over RTMP, ${rOverRtsp.frames} over RTSP, ${pulled.length} bytes over SRT`,
    );
  } finally {
    for (const p of pubs) await p.stop();
    await ts.close();
  }
});
