import assert from "node:assert/strict";
import { rawStatus, startTestServer } from "./support/mod.ts";

Deno.test("http static: index, MIME, Range, HEAD, CORS, deny lists, traversal refused", async () => {
  const big = new Uint8Array(300_000).map((_, i) => i % 251);
  const ts = await startTestServer({ http: { denypath: "home" } }, {
    files: {
      "html/index.html": "<!doctype html><title>Estuary</title>",
      "html/app.js": "console.log(1)",
      "html/big.mp4": big,
      "html/x.php": "<?php",
      "html/home/a.txt": "secret",
    },
  });
  const base = ts.http("");
  try {
    const cases: {
      path: string;
      init?: RequestInit;
      status: number;
      type?: string;
      text?: string;
      headers?: Record<string, string>;
    }[] = [
      {
        path: "/",
        status: 200,
        type: "text/html; charset=utf-8",
        text: "<!doctype html><title>Estuary</title>",
      },
      { path: "/index.html", status: 200, type: "text/html; charset=utf-8" },
      { path: "/app.js", status: 200, type: "text/javascript; charset=utf-8", text: "console.log(1)" },
      {
        path: "/big.mp4",
        init: { method: "HEAD" },
        status: 200,
        headers: { "content-length": "300000", "accept-ranges": "bytes" },
      },
      {
        path: "/big.mp4",
        init: { headers: { range: "bytes=299990-" } },
        status: 206,
        headers: { "content-range": "bytes 299990-299999/300000", "content-length": "10" },
      },
      {
        path: "/big.mp4",
        init: { headers: { range: "bytes=400000-" } },
        status: 416,
        headers: { "content-range": "bytes */300000" },
      },
      { path: "/x.php", status: 403 },
      { path: "/home/a.txt", status: 403 },
      { path: "/nope.html", status: 404, type: "application/json" },
      { path: "/%2e%2e/%2e%2e/etc/passwd", status: 404 }, // the URL parser resolves it inside the root
      { path: "/..%2f..%2fetc%2fpasswd", status: 400 },
      { path: "/a%5c..%5c..%5cetc%5cpasswd", status: 400 },
      {
        path: "/app.js",
        init: { headers: { origin: "http://player.example" } },
        status: 200,
        headers: { "access-control-allow-origin": "*" },
      },
      {
        path: "/live/x.flv",
        init: {
          method: "OPTIONS",
          headers: { origin: "http://p.example", "access-control-request-method": "GET" },
        },
        status: 204,
        headers: { "access-control-allow-origin": "*" },
      },
    ];
    for (const c of cases) {
      const res = await fetch(base + c.path, c.init);
      const body = await res.text();
      const label = `${c.init?.method ?? "GET"} ${c.path}`;
      assert.equal(res.status, c.status, `${label}: ${body.slice(0, 100)}`);
      if (c.type) assert.ok(res.headers.get("content-type")?.startsWith(c.type), label);
      if (c.text !== undefined) assert.equal(body, c.text, label);
      for (const [k, v] of Object.entries(c.headers ?? {})) {
        assert.equal(res.headers.get(k), v, `${label} ${k}`);
      }
    }
    const full = new Uint8Array(await (await fetch(`${base}/big.mp4`)).arrayBuffer());
    assert.deepEqual(full, big);
    const part = await fetch(`${base}/big.mp4`, { headers: { range: "bytes=1000-70999" } });
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), big.subarray(1000, 71000));

    // Raw request lines that no fetch would send.
    const raw: [string, number[]][] = [
      ["/../../../../etc/passwd", [400, 404]],
      ["/%2e%2e/%2e%2e/etc/passwd", [400, 404]],
      ["/..%2f..%2f..%2fetc/passwd", [400]],
      ["/..\\..\\..\\etc\\passwd", [400, 404]],
      ["/home%2fa.txt", [400]],
      ["/index.html", [200]],
    ];
    for (const [target, want] of raw) {
      const st = await rawStatus(ts.port("http"), target);
      assert.ok(want.includes(st), `${target}: got ${st}, want ${want}`);
    }
  } finally {
    await ts.close();
  }
});
