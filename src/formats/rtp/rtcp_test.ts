import assert from "node:assert/strict";
import {
  buildBye,
  buildReceiverReport,
  buildSenderReport,
  parseRtcp,
  RTCP_BYE,
  RTCP_RR,
  RTCP_SR,
} from "./rtcp.ts";
import { ProtocolError } from "../../core/errors.ts";

Deno.test("rtcp: SR round trip (NTP ms within 1 ms)", () => {
  const wallMs = 1_700_000_123_456;
  const [sr] = parseRtcp(
    buildSenderReport({ ssrc: 0xdeadbeef, wallMs, rtpTimestamp: 12345, packetCount: 7, octetCount: 900 }),
  );
  assert.equal(sr.type, RTCP_SR);
  if (sr.type !== RTCP_SR) return;
  assert.equal(sr.ssrc, 0xdeadbeef);
  assert.ok(Math.abs(sr.ntpMs - wallMs) < 1);
  assert.deepEqual([sr.rtpTimestamp, sr.packetCount, sr.octetCount], [12345, 7, 900]);
});

Deno.test("rtcp: compound RR + BYE round trip", () => {
  const block = {
    ssrc: 5,
    fractionLost: 12,
    cumulativeLost: 300,
    highestSeq: 70000,
    jitter: 40,
    lastSr: 0x12345678,
    delaySinceLastSr: 65536,
  };
  const rr = buildReceiverReport(9, [block]);
  const bye = buildBye(9);
  const both = new Uint8Array(rr.length + bye.length);
  both.set(rr);
  both.set(bye, rr.length);
  const parsed = parseRtcp(both);
  assert.deepEqual(parsed, [{ type: RTCP_RR, ssrc: 9, reports: [block] }, { type: RTCP_BYE, ssrcs: [9] }]);
});

Deno.test("rtcp: bad version and lengths throw", () => {
  assert.throws(() => parseRtcp(new Uint8Array([0x40, 200, 0, 0])), ProtocolError);
  assert.throws(() => parseRtcp(new Uint8Array([0x80, 200, 0, 9, 0, 0, 0, 0])), ProtocolError);
});
