import assert from "node:assert/strict";
import { safeSegments, serveFile, type StaticOptions } from "./static.ts";

Deno.test("safeSegments: decodes per segment and refuses ways out", () => {
  const cases: [string, string[] | RegExp][] = [
    ["/", []],
    ["/a/b.html", ["a", "b.html"]],
    ["/a//./b%20c.js", ["a", "b c.js"]],
    ["/%2e%2e/etc/passwd", /dot segments/],
    ["/a/%2E%2E/%2e%2e/x", /dot segments/],
    ["/..%2f..%2fetc%2fpasswd", /slashes/],
    ["/a%5c..%5cb", /backslashes/],
    ["/a%00.html", /NUL/],
    ["/%E0%A4%A", /percent-encoding/],
  ];
  for (const [p, want] of cases) {
    const got = safeSegments(p);
    if (want instanceof RegExp) assert.match((got as { refuse: string }).refuse, want, p);
    else assert.deepEqual(got, want, p);
  }
});

Deno.test("serveFile: index, types, range, conditional, deny lists, symlinks", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    const body = new TextEncoder().encode("0123456789".repeat(10));
    await Deno.writeFile(`${root}/index.html`, new TextEncoder().encode("<h1>hi</h1>"));
    await Deno.writeFile(`${root}/data.bin`, body);
    await Deno.writeFile(`${root}/conf.xml`, body);
    await Deno.mkdir(`${root}/sub`);
    await Deno.writeFile(`${root}/sub/index.html`, new TextEncoder().encode("sub"));
    await Deno.mkdir(`${root}/private`);
    await Deno.writeFile(`${root}/private/a.txt`, body);
    await Deno.writeFile(`${root}/.env`, body);
    await Deno.writeFile(`${outside}/secret.txt`, body);
    await Deno.symlink(`${outside}/secret.txt`, `${root}/link.txt`);
    const opts: StaticOptions = { root, denyFiles: ["php", "xml"], denyPaths: ["private"], chunkSize: 7 };
    const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
      serveFile(new Request(`http://x${path}`, { method, headers }), path, opts);

    const cases: {
      path: string;
      headers?: Record<string, string>;
      method?: string;
      status: number | null;
      body?: string;
      type?: string;
      range?: string;
    }[] = [
      { path: "/", status: 200, body: "<h1>hi</h1>", type: "text/html; charset=utf-8" },
      { path: "/sub/", status: 200, body: "sub" },
      { path: "/sub", status: 301 },
      { path: "/data.bin", status: 200, body: "0123456789".repeat(10), type: "application/octet-stream" },
      {
        path: "/data.bin",
        headers: { range: "bytes=10-24" },
        status: 206,
        body: "012345678901234",
        range: "bytes 10-24/100",
      },
      {
        path: "/data.bin",
        headers: { range: "bytes=-3" },
        status: 206,
        body: "789",
        range: "bytes 97-99/100",
      },
      { path: "/data.bin", headers: { range: "bytes=100-" }, status: 416, range: "bytes */100" },
      { path: "/data.bin", headers: { range: "bytes=1-2,4-5" }, status: 200 },
      { path: "/data.bin", method: "HEAD", status: 200, body: "" },
      { path: "/conf.xml", status: 403 },
      { path: "/CONF.XML", status: null },
      { path: "/private/a.txt", status: 403 },
      { path: "/private/", status: 403 },
      { path: "/.env", status: 403 },
      { path: "/link.txt", status: null },
      { path: "/missing.html", status: null },
      { path: "/%2e%2e/x", status: 400 },
      { path: "/a%5cb", status: 400 },
    ];
    for (const c of cases) {
      const res = await get(c.path, c.headers, c.method);
      const label = `${c.method ?? "GET"} ${c.path} ${JSON.stringify(c.headers ?? {})}`;
      if (c.status === null) {
        assert.equal(res, null, label);
        continue;
      }
      assert.ok(res, label);
      const text = await res.text();
      assert.equal(res.status, c.status, label);
      if (c.body !== undefined) assert.equal(text, c.body, label);
      if (c.type) assert.equal(res.headers.get("content-type"), c.type, label);
      if (c.range) assert.equal(res.headers.get("content-range"), c.range, label);
    }

    const first = (await get("/data.bin"))!;
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const lm = first.headers.get("last-modified")!;
    assert.equal(first.headers.get("content-length"), "100");
    const conditional: Record<string, string>[] = [
      { "if-none-match": etag },
      { "if-none-match": `W/${etag}, "x"` },
      { "if-modified-since": lm },
    ];
    for (const h of conditional) {
      const r = (await get("/data.bin", h))!;
      assert.equal(r.status, 304, JSON.stringify(h));
      await r.body?.cancel();
    }
    const stale = (await get("/data.bin", { range: "bytes=0-1", "if-range": '"old"' }))!;
    assert.equal(stale.status, 200);
    await stale.body?.cancel();
    const fresh = (await get("/data.bin", { range: "bytes=0-1", "if-range": etag }))!;
    assert.equal(fresh.status, 206);
    assert.equal(await fresh.text(), "01");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
