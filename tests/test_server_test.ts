/** The fixture itself: the real server on free loopback ports, partial config, reload, cleanup. */
import assert from "node:assert/strict";
import { startTestServer } from "./support/mod.ts";

Deno.test("startTestServer: defaults on free loopback ports, a service turned off, reload merges, close cleans up", async () => {
  const ts = await startTestServer({ srt: { enable: false }, http: { hlsduration: 2 } }, {
    files: { "html/hello.txt": "hi" },
  });
  try {
    for (const name of ["rtmp", "http", "rtsp"]) assert.ok(ts.port(name) > 0, name);
    assert.equal(ts.ports.srt, 0, "srt is off");
    assert.throws(() => ts.srt("live/x"), /no srt listener/);
    // Only what the partial config names differs from the defaults; derived fields are recomputed.
    assert.equal(ts.server.config.http.hlsduration, 2);
    assert.equal(ts.server.config.http.hlssegment, 3);
    assert.deepEqual(ts.server.config.rtmp.liveApps, ["live"]);
    assert.ok(ts.lines.some((l) => l.includes("estuary started")), ts.lines.join("\n"));
    const res = await fetch(ts.http("/hello.txt"));
    assert.equal(await res.text(), "hi");

    const changed = await ts.reload({ rtmp: { live: "live,tv" } });
    assert.deepEqual(changed, ["rtmp"]);
    assert.deepEqual(ts.server.config.rtmp.liveApps, ["live", "tv"]);
    assert.equal(ts.server.config.http.hlsduration, 2, "a reload keeps the earlier partial config");
  } finally {
    await ts.close();
  }
  await assert.rejects(Deno.stat(ts.root), Deno.errors.NotFound);
});

Deno.test("startTestServer: tls makes a certificate and starts RTMPS, HTTPS and RTSPS; a bad value throws", async () => {
  const ts = await startTestServer({}, { tls: true });
  try {
    for (const name of ["rtmps", "https", "rtsps"]) assert.ok(ts.port(name) > 0, name);
    const client = Deno.createHttpClient({ caCerts: [ts.cert!.cert] });
    const res = await fetch(ts.https("/api/status"), { client });
    assert.equal((await res.json()).https.run, true);
    client.close();
  } finally {
    await ts.close();
  }
  await assert.rejects(startTestServer({ rtmp: { chunksize: 0 } }), /rtmp\.chunksize = 0 is invalid/);
});
