import assert from "node:assert/strict";
import { RTCRtpSender } from "werift";
import { takeOverNacks } from "./peer.ts";

Deno.test("takeOverNacks: werift's sender keeps no packet history afterwards (pins its rtpCache field)", () => {
  const sender = new RTCRtpSender("video");
  // deno-lint-ignore no-explicit-any
  const raw = sender as any;
  assert.ok(
    Array.isArray(raw.rtpCache),
    "werift's RTCRtpSender has an rtpCache array (RTP_HISTORY_SIZE slots)",
  );
  assert.equal(takeOverNacks(sender), true);
  raw.rtpCache[5] = { header: { sequenceNumber: 5 } };
  assert.equal(raw.rtpCache[5], undefined);
  raw.rtpCache = [{ header: { sequenceNumber: 0 } }]; // werift's scheduleRtpContinuity
  assert.equal(raw.rtpCache[0], undefined);
});

Deno.test("takeOverNacks: a sender without werift's history is left alone", () => {
  const other = { rtpCache: new Map() };
  assert.equal(takeOverNacks(other as unknown as RTCRtpSender), false);
  assert.ok(other.rtpCache instanceof Map);
});
