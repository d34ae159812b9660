import assert from "node:assert/strict";
import { parseTrickleFragment } from "./trickle.ts";

Deno.test("trickle fragment: candidates with their mid; bad candidates and huge bodies refused", () => {
  const frag = [
    "a=ice-ufrag:EsAw",
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
    "m=audio 9 RTP/AVP 0",
    "a=mid:0",
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1",
    "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2",
    "a=end-of-candidates",
  ].join("\r\n");
  const list = parseTrickleFragment(frag);
  assert.equal(list.length, 2);
  assert.deepEqual(list[0], {
    candidate:
      "candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1",
    sdpMid: "0",
    sdpMLineIndex: 0,
  });
  assert.deepEqual(parseTrickleFragment("a=end-of-candidates\r\n"), []);
  assert.throws(
    () => parseTrickleFragment("a=candidate:garbage"),
    /candidate "candidate:garbage" is invalid/,
  );
  assert.throws(() => parseTrickleFragment("x".repeat(20_000)), /must be at most 16384/);
});
