/**
 * GET /metrics and /api/statistics through the real server (createServer): ffmpeg publishes over
 * RTMP, an HTTP-FLV reader plays, and promtool (Debian's prometheus package) checks the page.
 */
import assert from "node:assert/strict";
import {
  ffmpegPublish,
  type PartialConfig,
  requireTool,
  run,
  startTestServer,
  type TestServer,
  waitFor,
} from "./support/mod.ts";

/** Every service on, so promtool checks every family (rtmp_conns, rtsp_sessions, srt_conns, hls_muxers…). */
async function startServer(partial: PartialConfig = {}): Promise<{ ts: TestServer; base: string }> {
  const ts = await startTestServer(partial);
  return { ts, base: ts.http("") };
}

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Sample lines of a Prometheus text page (the label values here carry no escapes). */
function parseSamples(body: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function valueOf(samples: ParsedSample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

async function scrape(base: string): Promise<{ body: string; samples: ParsedSample[] }> {
  const res = await fetch(`${base}/metrics`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return { body, samples: parseSamples(body) };
}

async function promtoolCheck(body: string): Promise<void> {
  const r = await run("promtool", ["check", "metrics"], {
    timeoutMs: 10_000,
    stdin: new TextEncoder().encode(body),
  });
  assert.equal(r.code, 0, `promtool check metrics failed:\n${r.stdout}${r.stderr}\n--- page ---\n${body}`);
}

Deno.test("metrics: /metrics passes promtool, inbound bytes grow, the player shows; /api/statistics agrees", async () => {
  requireTool("ffmpeg");
  requireTool("promtool");
  const { ts, base } = await startServer();
  const server = ts.server;
  const key = "live/metrics";
  const pub = ffmpegPublish({
    url: ts.rtmp(`/${key}`),
    format: "flv",
    seconds: 25,
  });
  let player: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let reading: Promise<void> | undefined;
  try {
    await waitFor(() => server.hub.get(key)?.isTracksReady, 15_000, "the publisher's tracks");

    // A raw HTTP-FLV player that keeps reading until the test ends.
    const res = await fetch(`${base}/${key}.flv`);
    assert.equal(res.status, 200);
    player = res.body!.getReader();
    let played = 0;
    reading = (async () => {
      try {
        for (let r = await player!.read(); !r.done; r = await player!.read()) played += r.value.byteLength;
      } catch { /* cancelled */ }
    })();
    await waitFor(() => played > 0, 10_000, "the player's first bytes");

    const path = { name: key, state: "ready" };
    const first = await scrape(base);
    await promtoolCheck(first.body);
    assert.equal(valueOf(first.samples, "paths", path), 1);
    assert.ok(valueOf(first.samples, "paths_readers", path)! >= 1, "the player is counted");
    assert.equal(valueOf(first.samples, "estuary_streams", {}), 1);
    // The process families (client-library names), which the soak reads for the heap.
    assert.ok(valueOf(first.samples, "nodejs_heap_size_used_bytes", {})! > 1e6);
    assert.ok(valueOf(first.samples, "process_resident_memory_bytes", {})! > 1e7);
    assert.equal(valueOf(first.samples, "rtmp_conns", { state: "publish" }), 1, "the publisher by state");
    for (const family of ["rtsp_sessions", "srt_conns"]) {
      assert.ok(first.samples.some((s) => s.name === family), `${family} is exported`);
    }

    await new Promise((r) => setTimeout(r, 1500));
    const second = await scrape(base);
    await promtoolCheck(second.body);
    const in1 = valueOf(first.samples, "paths_inbound_bytes", path)!;
    const in2 = valueOf(second.samples, "paths_inbound_bytes", path)!;
    assert.ok(in1 > 0 && in2 > in1, `paths_inbound_bytes grows: ${in1} → ${in2}`);
    const out1 = valueOf(first.samples, "paths_outbound_bytes", path)!;
    const out2 = valueOf(second.samples, "paths_outbound_bytes", path)!;
    assert.ok(out1 > 0 && out2 > out1, `paths_outbound_bytes grows: ${out1} → ${out2}`);
    assert.equal(valueOf(second.samples, "paths_readers", path), 1);
    for (const reason of ["reader_queue", "player_backlog"]) {
      assert.equal(
        typeof valueOf(second.samples, "estuary_frames_dropped_total", { path: key, reason }),
        "number",
      );
    }

    // The same families and series as JSON, with values at least those of the earlier scrape.
    const statsRes = await fetch(`${base}/api/statistics`);
    assert.equal(statsRes.status, 200);
    const stats = await statsRes.json();
    const withSamples = Object.entries(stats.metrics as Record<string, { samples: unknown[] }>)
      .filter(([, f]) => f.samples.length > 0).map(([n]) => n).sort();
    assert.deepEqual(withSamples, [...new Set(second.samples.map((s) => s.name))].sort());
    const sample = (name: string) =>
      stats.metrics[name].samples.find((s: { labels: Record<string, string> }) => s.labels.name === key);
    assert.deepEqual(sample("paths_inbound_bytes").labels, path);
    assert.ok(sample("paths_inbound_bytes").value >= in2);
    assert.ok(sample("paths_outbound_bytes").value >= out2);
    assert.equal(sample("paths_readers").value, 1);
    assert.equal(stats.metrics.paths_inbound_bytes.type, "untyped");
    assert.equal(typeof stats.time, "string");
  } catch (err) {
    console.error(ts.lines.slice(-40).join("\n"));
    throw err;
  } finally {
    await player?.cancel();
    await reading;
    await pub.stop();
    await ts.close();
  }
});

Deno.test("metrics: <http><metrics>false</metrics> answers 404 at /metrics; /api/statistics stays", async () => {
  const { ts, base } = await startServer({ http: { metrics: false } });
  try {
    const res = await fetch(`${base}/metrics`);
    const body = await res.json();
    assert.equal(res.status, 404);
    assert.match(body.msg, /metrics are off/);
    const stats = await fetch(`${base}/api/statistics`);
    assert.equal(stats.status, 200);
    assert.equal((await stats.json()).metrics.estuary_streams.samples[0].value, 0);
  } finally {
    await ts.close();
  }
});

Deno.test("metrics: listener families count open connections and refusals per listener; promtool passes", async () => {
  requireTool("promtool");
  // One connection per address on RTMP and HTTP: the second is refused at accept.
  const { ts, base } = await startServer({ rtmp: { maxconnsperip: 1 }, http: { maxconnsperip: 2 } });
  const held: Deno.Conn[] = [];
  try {
    held.push(await Deno.connect({ hostname: "127.0.0.1", port: ts.ports.rtmp }));
    const rtmpOpen = () =>
      (ts.server.service("rtmp")?.stats() as { listener: { open: number } }).listener.open;
    await waitFor(() => rtmpOpen() === 1, 5000, "the RTMP connection");
    const refused = await Deno.connect({ hostname: "127.0.0.1", port: ts.ports.rtmp });
    // The refused connection is closed by the server: the read ends without data.
    assert.equal(await refused.read(new Uint8Array(16)), null);
    refused.close();
    // Two idle HTTP connections fill the per-address limit, so the scrape itself would be refused:
    // one is held, the scrape is the second.
    held.push(await Deno.connect({ hostname: "127.0.0.1", port: ts.ports.http }));
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: ts.ports.http });
    const extra2 = await Deno.connect({ hostname: "127.0.0.1", port: ts.ports.http });
    assert.equal(await extra2.read(new Uint8Array(16)), null, "the third HTTP connection is refused");
    extra2.close();
    extra.close();
    const { body, samples } = await scrapeWhenAdmitted(base);
    await promtoolCheck(body);
    assert.equal(valueOf(samples, "estuary_listener_conns", { listener: "rtmp" }), 1);
    assert.equal(
      valueOf(samples, "estuary_listener_refused_total", { listener: "rtmp", reason: "maxconnsperip" }),
      1,
    );
    assert.equal(
      valueOf(samples, "estuary_listener_refused_total", { listener: "rtmp", reason: "maxconns" }),
      0,
    );
    assert.equal(valueOf(samples, "estuary_listener_accept_errors_total", { listener: "rtmp" }), 0);
    assert.equal(valueOf(samples, "estuary_listener_conns", { listener: "rtsp" }), 0);
    assert.equal(
      valueOf(samples, "estuary_listener_refused_total", { listener: "rtsp", reason: "fdreserve" }),
      0,
    );
    assert.ok(
      valueOf(samples, "estuary_listener_conns", { listener: "http" })! >= 2,
      "the held one and the scrape",
    );
    assert.ok(
      valueOf(samples, "estuary_listener_refused_total", { listener: "http", reason: "maxconnsperip" })! >= 1,
    );
  } finally {
    for (const c of held) c.close();
    await ts.close();
  }
});

/** A scrape may race the close of a refused connection's slot: retry a few times. */
async function scrapeWhenAdmitted(base: string): Promise<{ body: string; samples: ParsedSample[] }> {
  for (let i = 0;; i++) {
    try {
      return await scrape(base);
    } catch (err) {
      if (i >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
