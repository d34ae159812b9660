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

Deno.test("https-flv + wss-flv: ffmpeg decodes ≥ 200 frames over TLS with the certificate verified", async () => {
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
    assert.equal((await st.json()).https.run, true);
    pub.stop();
    await pub.done;
  } finally {
    await ts.close();
  }
});
