/**
 * The nginx reverse proxy of docs/deploy.md, taken from the document itself (only TLS is swapped for a
 * plain loopback port), in front of the real server: HTTP-FLV decodes through it, WS-FLV upgrades
 * through it and streams FLV, HLS and the probes answer through it. So the documented config stays
 * one that works.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  getText,
  H264B,
  requireTool,
  startTestServer,
  waitLive,
  wsBytes,
} from "./support/mod.ts";

requireTool("nginx");
requireTool("ffmpeg");

const DOC = new URL("../docs/deploy.md", import.meta.url);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The ```nginx block of the reverse-proxy section, for a plain listener on `port` in front of `upstream`. */
function proxyConfig(doc: string, port: number, upstream: number): string {
  const section = doc.slice(doc.indexOf("## Reverse proxy"));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("docs/deploy.md has no nginx block in its reverse-proxy section");
  return block
    .split("\n")
    .filter((l) => !/^\s*(ssl_certificate|ssl_certificate_key|http2)\b/.test(l))
    .map((l) => l.replace(/^(\s*)listen 443 ssl.*$/, `$1listen 127.0.0.1:${port};`))
    .join("\n")
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${upstream}`);
}

async function startNginx(site: string) {
  const dir = await Deno.makeTempDir({ prefix: "estuary-nginx-" });
  for (const d of ["logs", "tmp"]) await Deno.mkdir(`${dir}/${d}`);
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${site}
}
`,
  );
  const check = await new Deno.Command("nginx", { args: ["-t", "-p", dir, "-c", `${dir}/nginx.conf`] })
    .output();
  assert.equal(check.code, 0, `nginx -t: ${new TextDecoder().decode(check.stderr)}`);
  const child = new Deno.Command("nginx", {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    async close() {
      try {
        child.kill("SIGQUIT");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("deploy.md's nginx proxy: HTTP-FLV decodes, WS-FLV upgrades and streams, HLS and probes answer", async () => {
  const ts = await startTestServer({ rtsp: { enable: false }, srt: { enable: false } });
  const port = freePort();
  const nginx = await startNginx(proxyConfig(await Deno.readTextFile(DOC), port, ts.port("http")));
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/proxied"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitLive(ts.hub, "live/proxied");
    const ready = await getText(`${base}/api/ready`);
    assert.equal(ready.status, 200, ready.text);

    const { frames } = await decodedFrames(`${base}/live/proxied.flv`, {
      frames: 60,
      timeoutMs: 20_000,
      inputArgs: ["-rw_timeout", "5000000"],
    });
    assert.ok(frames >= 60, `HTTP-FLV through nginx decoded ${frames} frames`);

    // WS-FLV: the upgrade passes, and the messages are an FLV stream (header, then tags).
    const reader = wsBytes(`ws://127.0.0.1:${port}/live/proxied.flv`).getReader();
    let got = new Uint8Array(0);
    while (got.length < 64 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      const n = new Uint8Array(got.length + value.length);
      n.set(got);
      n.set(value, got.length);
      got = n;
    }
    await reader.cancel();
    assert.equal(new TextDecoder().decode(got.subarray(0, 3)), "FLV", "WS-FLV through nginx starts with FLV");
    assert.ok(got.length >= 64 * 1024, `WS-FLV through nginx delivered ${got.length} bytes`);

    const hls = await getText(`${base}/live/proxied.m3u8`);
    assert.equal(hls.status, 200, hls.text);
    assert.match(hls.text, /#EXTM3U/);
  } finally {
    await pub.stop();
    await nginx.close();
    await ts.close();
  }
});
