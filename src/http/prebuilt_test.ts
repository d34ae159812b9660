import assert from "node:assert/strict";
import { PrebuiltCache, PrebuiltResponse } from "./prebuilt.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("PrebuiltResponse: status, date, fields, content-length and body in one buffer", () => {
  const body = new TextEncoder().encode("#EXTM3U\n");
  const r = new PrebuiltResponse(200, [["content-type", "application/vnd.apple.mpegurl"]], body);
  const [head, rest] = text(r.now()).split("\r\n\r\n");
  const lines = head.split("\r\n");
  assert.equal(lines[0], "HTTP/1.1 200 OK");
  assert.match(lines[1], /^date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.deepEqual(lines.slice(2), ["content-type: application/vnd.apple.mpegurl", "content-length: 8"]);
  assert.equal(rest, "#EXTM3U\n");
  assert.equal(text(r.body), "#EXTM3U\n");
  assert.deepEqual(r.fields, [["content-type", "application/vnd.apple.mpegurl"]]);
});

Deno.test("PrebuiltResponse: a new second rewrites the date in place, the layout never moves", async () => {
  const r = new PrebuiltResponse(404, [], new Uint8Array([1, 2, 3]));
  const first = text(r.now());
  assert.match(first, /^HTTP\/1\.1 404 Not Found\r\n/);
  await new Promise((res) => setTimeout(res, 1100));
  const second = r.now();
  assert.equal(second, r.bytes, "the same buffer");
  assert.equal(text(second).length, first.length);
  const date = (s: string) => /date: (.*)\r\n/.exec(s)![1];
  assert.notEqual(date(text(second)), date(first));
  assert.equal(new Date(date(text(second))).getTime(), Math.floor(Date.now() / 1000) * 1000);
});

Deno.test("PrebuiltCache: one response per body object, built on first use", () => {
  const cache = new PrebuiltCache();
  const seg = new Uint8Array(10), other = new Uint8Array(10);
  const fields = [["content-type", "video/mp2t"]] as const;
  const a = cache.get(seg, fields);
  assert.equal(cache.get(seg, fields), a);
  assert.notEqual(cache.get(other, fields), a);
  assert.equal(a.body.byteLength, 10);
});
