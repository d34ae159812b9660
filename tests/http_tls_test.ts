/** HTTPS-FLV and WSS-FLV with a self-signed test certificate, played by ffmpeg (verifying it). */
import assert from "node:assert/strict";
import {
  decodedFrames,
  ffprobeJson,
  makeFlv,
  replayFlv,
  requireTool,
  startTestServer,
  wsBytes,
} from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("openssl");

Deno.test("https-flv + wss-flv: ffmpeg decodes ≥ 200 frames over TLS with the certificate verified; /api/live lists the TLS URLs (ffmpeg plays its rtmps one)", async () => {
  const ts = await startTestServer({}, { tls: true });
  try {
    const cert = ts.cert!;
    const flv = await makeFlv(`${ts.root}/src.flv`, 10);
    assert.ok(ts.port("https") > 0 && ts.port("https") !== ts.port("http"));
    const path = `127.0.0.1:${ts.port("https")}/live/tls.flv`;
    const tlsArgs = ["-tls_verify", "1", "-ca_file", cert.certFile, "-rw_timeout", "5000000"];
    const players = [
      decodedFrames(`https://${path}`, { frames: 200, timeoutMs: 25_000, inputArgs: tlsArgs }),
      decodedFrames("-", {
        frames: 200,
        timeoutMs: 25_000,
        stdin: wsBytes(`wss://${path}`, { caCerts: [cert.cert] }),
      }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    const pub = await replayFlv(ts.hub, flv, { name: "tls" });
    const probe = await ffprobeJson(`https://${path}`, { timeoutMs: 15_000, inputArgs: tlsArgs });
    const v = probe.streams.find((s) => s.codec_type === "video")!;
    assert.deepEqual([v.codec_name, v.width, v.height], ["h264", 640, 360]);
    assert.equal(probe.streams.find((s) => s.codec_type === "audio")?.codec_name, "aac");
    // Verification is real: without the test CA ffprobe refuses the certificate.
    await assert.rejects(
      ffprobeJson(`https://${path}`, {
        timeoutMs: 15_000,
        inputArgs: ["-tls_verify", "1", "-rw_timeout", "5000000"],
      }),
    );
    const [https, wss] = await Promise.all(players);
    assert.ok(https.frames >= 200, `https-flv decoded ${https.frames}: ${https.stderr}`);
    assert.ok(wss.frames >= 200, `wss-flv decoded ${wss.frames}: ${wss.stderr}`);
    // The plain listener serves the same app.
    const st = await fetch(ts.http("/api/status"));
    assert.equal(st.status, 200);
    const status = await st.json();
    assert.equal(status.https.run, true);
    assert.equal(status.http.sport, ts.port("https"), "smart_rtmpd's web admin reads it as http.sport");
    // /api/live hands out the TLS listeners' URLs beside the plain ones; ffmpeg plays the one it names.
    const urls = Object.fromEntries(
      ((await (await fetch(ts.http("/api/live?app=live&name=tls"))).json()).urls as {
        type: string;
        url: string;
      }[])
        .map((u) => [u.type, u.url]),
    );
    assert.equal(urls["https-flv"], `https://${path}`);
    assert.equal(urls["wss-flv"], `wss://${path}`);
    assert.equal(urls["https-hls"], `https://127.0.0.1:${ts.port("https")}/live/tls.m3u8`);
    assert.equal(urls["https-webrtc"], `https://127.0.0.1:${ts.port("https")}/whep/v1?app=live&name=tls`);
    assert.equal(urls.rtmps, `rtmps://127.0.0.1:${ts.port("rtmps")}/live/tls`);
    assert.equal(urls.rtsps, `rtsps://127.0.0.1:${ts.port("rtsps")}/live/tls`);
    assert.equal(urls["http-flv"], `http://127.0.0.1:${ts.port("http")}/live/tls.flv`);
    const viaApi = await decodedFrames(urls.rtmps, {
      frames: 30,
      timeoutMs: 15_000,
      inputArgs: tlsArgs.slice(0, 4),
    });
    assert.equal(viaApi.frames, 30, viaApi.stderr.slice(-300));
    pub.stop();
    await pub.done;
  } finally {
    await ts.close();
  }
});
