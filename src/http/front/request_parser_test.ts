import assert from "node:assert/strict";
import { HttpFrontError } from "./errors.ts";
import { parseRequestHead } from "./request_parser.ts";
import { BAD_HEADS, GOOD_HEADS } from "./request_parser_cases.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("parseRequestHead: good heads", () => {
  for (const t of GOOD_HEADS) {
    const h = parseRequestHead(enc(t.head));
    assert.ok(h, t.name);
    assert.equal(h.size, enc(t.head).length, t.name);
    for (const [k, v] of Object.entries(t.want)) {
      assert.deepEqual(h[k as keyof typeof h], v, `${t.name}: ${k}`);
    }
  }
});

Deno.test("parseRequestHead: hostile heads are refused with the right status", () => {
  for (const t of BAD_HEADS) {
    assert.throws(
      () => parseRequestHead(enc(t.head)),
      (e: unknown) => e instanceof HttpFrontError && e.status === t.status,
      t.name,
    );
  }
});

Deno.test("parseRequestHead: incomplete heads wait; an endless one is refused at the byte limit", () => {
  assert.equal(parseRequestHead(enc("GET / HTTP/1.1\r\nHost: h\r\n")), undefined);
  assert.equal(parseRequestHead(enc("GET / HTTP/1.1\r\nHost: h\r\n\r")), undefined);
  const endless = enc(`GET / HTTP/1.1\r\n${"X-Long: yyyyyyyyyyyyyyyyyyyy\r\n".repeat(2000)}`);
  assert.throws(
    () => parseRequestHead(endless),
    (e: unknown) => e instanceof HttpFrontError && e.status === 431,
  );
});

Deno.test("parseRequestHead: a pipelined second request is left in the buffer", () => {
  const two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  const h = parseRequestHead(enc(two))!;
  assert.equal(h.target, "/a");
  assert.equal(parseRequestHead(enc(two).subarray(h.size))!.target, "/b");
});
