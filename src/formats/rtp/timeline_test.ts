import assert from "node:assert/strict";
import { rescale, SessionClock, TimestampUnwrapper, TrackClock } from "./timeline.ts";

Deno.test("unwrapper crosses 2^32 both ways", () => {
  const u = new TimestampUnwrapper();
  assert.equal(u.unwrap(4294967000), 4294967000);
  assert.equal(u.unwrap(200), 4294967496);
  assert.equal(u.unwrap(4294967100), 4294967100);
});

Deno.test("track clock: no drift over a day of 44.1 kHz AAC at 1024-sample steps", () => {
  const c = new TrackClock(new SessionClock(0), 44100, 44100);
  const start = 123456;
  assert.equal(c.toHub(c.unwrapper.unwrap(start), 1000), 0);
  const steps = Math.floor((86400 * 44100) / 1024);
  const ts = (start + steps * 1024) % 4294967296;
  // Feed a few intermediate points so unwrapping can follow.
  for (let i = 1; i <= 64; i++) {
    c.unwrapper.unwrap((start + Math.floor((steps * i) / 64) * 1024) % 4294967296);
  }
  assert.equal(c.toHub(c.unwrapper.unwrap(ts), 0), steps * 1024);
});

Deno.test("track clock: tracks align by sender reports, not arrival", () => {
  const s = new SessionClock(500);
  const video = new TrackClock(s, 90000, 90000);
  const audio = new TrackClock(s, 48000, 48000);
  const ntp = 1_700_000_000_000;
  video.senderReport(ntp, 1000, 5000);
  audio.senderReport(ntp, 7000, 5000);
  // Video's first packet is at its SR instant; audio starts 100 ms later in sender time but
  // arrives 300 ms late: it must still land 100 ms after video.
  const v0 = video.toHub(video.unwrapper.unwrap(1000), 5000);
  const a0 = audio.toHub(audio.unwrapper.unwrap(7000 + 4800), 5400);
  assert.equal(v0, 45000); // the 500 ms lead
  assert.equal(a0, 48000 * 0.6);
});

Deno.test("rescale is exact for large values", () => {
  assert.equal(rescale(90000 * 86400 * 30, 90000, 1000), 1000 * 86400 * 30);
  assert.equal(rescale(1023, 48000, 90000), Math.round((1023 * 90000) / 48000));
});
