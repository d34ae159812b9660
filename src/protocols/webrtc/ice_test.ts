import assert from "node:assert/strict";
import { hostAddresses, iceServerLinks, keepCandidates } from "./ice.ts";

Deno.test("host addresses: the listen address, or every interface; the NAT address added once", () => {
  const ifaces = () => ["127.0.0.1", "10.0.0.5"];
  assert.deepEqual(hostAddresses("0.0.0.0", "", ifaces), ["127.0.0.1", "10.0.0.5"]);
  assert.deepEqual(hostAddresses("0.0.0.0", "203.0.113.7", ifaces), ["127.0.0.1", "10.0.0.5", "203.0.113.7"]);
  assert.deepEqual(hostAddresses("10.0.0.5", "10.0.0.5", ifaces), ["10.0.0.5"]);
});

Deno.test("ICE servers become Link headers (RFC 9725 4.6), credentials quoted", () => {
  assert.deepEqual(
    iceServerLinks([
      { url: "stun:stun.example.net:3478", username: "", credential: "" },
      { url: "turn:turn.example.net:3478?transport=udp", username: "u", credential: 'p"w' },
    ]),
    [
      '<stun:stun.example.net:3478>; rel="ice-server"',
      '<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="u"; credential="p\\"w"; credential-type="password"',
    ],
  );
});

Deno.test("the answer keeps only the candidates of our addresses", () => {
  const sdp = [
    "m=video 9 UDP/TLS/RTP/SAVPF 102",
    "a=candidate:1 1 udp 2116026367 127.0.0.1 40000 typ host generation 0",
    "a=candidate:2 1 udp 2116026367 192.0.2.2 40001 typ host generation 0",
    "a=end-of-candidates",
  ].join("\r\n");
  assert.equal(
    keepCandidates(sdp, ["127.0.0.1"]),
    [
      "m=video 9 UDP/TLS/RTP/SAVPF 102",
      "a=candidate:1 1 udp 2116026367 127.0.0.1 40000 typ host generation 0",
      "a=end-of-candidates",
    ].join("\r\n"),
  );
});
