import assert from "node:assert/strict";
import { checkTarget, requestUrl } from "./request_target.ts";
import { HttpFrontError } from "./errors.ts";
import type { RequestHead } from "./request_parser.ts";

const head = (target: string, headers: [string, string][], minor = 1, method = "GET"): RequestHead => ({
  method,
  target,
  minor,
  headers,
  body: { kind: "none" },
  keepAlive: true,
  size: 0,
});

Deno.test("request target: Host and target refused by the rule they break", () => {
  const cases: [string, RequestHead, RegExp][] = [
    ["no Host on 1.1", head("/live/a.flv", []), /Host header missing/],
    ["two Hosts", head("/", [["host", "a"], ["host", "b"]]), /several Host headers/],
    ["a bad Host", head("/", [["host", "a b"]]), /Host "a b" is invalid/],
    ["no leading slash", head("live/a.flv", [["host", "a"]]), /must start with \//],
    ["dot segments", head("/live/../etc/passwd", [["host", "a"]]), /dot segments are refused/],
    ["encoded dots", head("/live/%2e%2E/x", [["host", "a"]]), /dot segments are refused/],
  ];
  for (const [name, h, msg] of cases) {
    assert.throws(() => checkTarget(h), (e) => e instanceof HttpFrontError && msg.test(e.message), name);
  }
  for (
    const ok of [
      head("/live/a.flv?x=1", [["host", "example.com:8080"]]),
      head("/", [], 0), // HTTP/1.0 may leave Host out
      head("*", [["host", "a"]], 1, "OPTIONS"),
      head("http://a/live/b.m3u8", [["host", "a"]]),
      head("/live/a..b.flv", [["host", "a"]]), // dots inside a name are no segment
    ]
  ) checkTarget(ok);
});

Deno.test("request target: the URL the app gets", () => {
  assert.equal(
    requestUrl(head("/live/a.flv?x=1", [["host", "h:8080"]]), false).href,
    "http://h:8080/live/a.flv?x=1",
  );
  assert.equal(requestUrl(head("/", []), true).href, "https://localhost/");
  assert.equal(requestUrl(head("*", [["host", "h"]], 1, "OPTIONS"), false).href, "http://h/");
});
