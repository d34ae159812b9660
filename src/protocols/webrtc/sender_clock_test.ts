import assert from "node:assert/strict";
import type { AacTrack, Frame, H264Track } from "../../core/mod.ts";
import { ntpOf, SenderClock } from "./sender_clock.ts";

const video = { kind: "video", codec: "h264", clockRate: 90000 } as H264Track;
const audio = { kind: "audio", codec: "opus", clockRate: 48000 } as unknown as AacTrack;
const frame = (track: H264Track | AacTrack, pts: number): Frame => ({
  track,
  pts,
  dts: pts,
  key: true,
  data: new Uint8Array(),
});

/** An RTP header whose timestamp is `ts`. */
function packet(ts: number): Uint8Array {
  const p = new Uint8Array(12);
  new DataView(p.buffer).setUint32(4, ts);
  return p;
}

Deno.test("ntpOf: Unix seconds as 32.32 NTP (RFC 5905: the epoch is 1900)", () => {
  assert.equal(ntpOf(0), 2_208_988_800n << 32n);
  assert.equal(ntpOf(1.5), ((2_208_988_800n + 1n) << 32n) | 0x80000000n);
});

Deno.test("SenderClock: both tracks' reports map RTP time to one media clock, whenever packets leave", () => {
  let wall = 1000;
  const clock = new SenderClock(() => wall);
  const v = { ntpTimestamp: 0n, rtpTimestamp: 0 };
  const a = { ntpTimestamp: 0n, rtpTimestamp: 0, timestampOffset: 0 };
  // Video at pts 2 s goes out first; audio of the same instant 300 ms later (it was late).
  v.rtpTimestamp = 5000;
  clock.stamp(v, packet(5000), frame(video, 2 * 90000));
  wall += 0.3;
  a.rtpTimestamp = 0xfffffff0;
  clock.stamp(a, packet(0xfffffff0), frame(audio, 2 * 48000));
  assert.equal(a.ntpTimestamp, v.ntpTimestamp, "the same instant, whenever it was sent");
  assert.equal(v.ntpTimestamp, ntpOf(1000));
  // Later frames: media time since the first one, not send time.
  wall += 5;
  v.rtpTimestamp = 5000 + 90000;
  clock.stamp(v, packet(5000 + 90000), frame(video, 3 * 90000));
  assert.equal(v.ntpTimestamp, ntpOf(1001));
  // A packet the sender did not take (its last RTP time is another) leaves the report as it was.
  clock.stamp(v, packet(123), frame(video, 9 * 90000));
  assert.equal(v.ntpTimestamp, ntpOf(1001));
});
