import assert from "node:assert/strict";
import { attribute, buildSdp, fmtp, parseSdp, rtpmap } from "./sdp.ts";
import { ProtocolError } from "../../core/errors.ts";
import { FFMPEG_ANNOUNCE as FFMPEG } from "./sdp_cases.ts";

Deno.test("sdp: parses ffmpeg's ANNOUNCE body", () => {
  const s = parseSdp(FFMPEG);
  assert.equal(s.sessionName, "No Name");
  assert.equal(s.connection, "IN IP4 127.0.0.1");
  assert.equal(s.media.length, 2);
  const [v, a] = s.media;
  assert.deepEqual([v.type, v.port, v.protocol, v.formats], ["video", 0, "RTP/AVP", ["96"]]);
  assert.equal(attribute(v, "control"), "streamid=0");
  assert.deepEqual(rtpmap(v, "96"), { encoding: "H264", clockRate: 90000 });
  assert.equal(fmtp(v, "96")["sprop-parameter-sets"], "Z2QAHqzZQUH7ARAAAAMAEAAAAwPA8WLZYA==,aOvjyyLA");
  assert.deepEqual(rtpmap(a, "97"), { encoding: "MPEG4-GENERIC", clockRate: 44100, channels: 2 });
  assert.equal(fmtp(a, "97").config, "121056E500");
  assert.deepEqual(v.bandwidth, ["AS:1000"]);
});

Deno.test("sdp: build → parse round trip", () => {
  const s = parseSdp(FFMPEG);
  assert.deepEqual(parseSdp(buildSdp(s)), s);
});

Deno.test("sdp: static payload types need no rtpmap; LF-only line ends work", () => {
  const s = parseSdp("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=x\nt=0 0\nm=audio 0 RTP/AVP 8\na=recvonly\n");
  assert.deepEqual(rtpmap(s.media[0], "8"), { encoding: "PCMA", clockRate: 8000, channels: 1 });
  assert.equal(attribute(s.media[0], "recvonly"), "");
});

const bad: [string, string][] = [
  ["no v= line", "o=- 0 0 IN IP4 0.0.0.0\r\ns=x\r\n"],
  ["garbage line", "v=0\r\nhello world\r\n"],
  ["short m= line", "v=0\r\nm=video 0\r\n"],
  ["bad port", "v=0\r\nm=video 99999 RTP/AVP 96\r\n"],
  ["bad clock", "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/zero\r\n"],
];
for (const [name, text] of bad) {
  Deno.test(`sdp rejects ${name}`, () => {
    assert.throws(() => {
      const s = parseSdp(text);
      for (const m of s.media) for (const f of m.formats) rtpmap(m, f);
    }, ProtocolError);
  });
}

// Limits that keep one ANNOUNCE from costing the server more than a real one does (issue 10).
const mLine = "m=audio 0 RTP/AVP 8\r\n";
const limits: [string, string, RegExp][] = [
  ["17 m= lines", "v=0\r\n" + mLine.repeat(17), /more than 16 m= lines/],
  ["600 m= lines", "v=0\r\n" + mLine.repeat(600), /more than 16 m= lines/],
  ["a 5000-character line", `v=0\r\na=tool:${"x".repeat(5000)}\r\n`, /of 5007 characters .*at most 4096/],
  ["129 formats", `v=0\r\nm=audio 0 RTP/AVP ${"8 ".repeat(129)}\r\n`, /129 formats .*at most 128/],
  ["clock 0", "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 PCMA/0\r\n", /clock rate "0" .*1\.\.1000000/],
  ["clock 1e9", "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 PCMA/1000000000\r\n", /1\.\.1000000/],
  ["channels 0", "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 PCMA/8000/0\r\n", /channels "0" .*1\.\.64/],
  ["channels x", "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 PCMA/8000/x\r\n", /channels "x"/],
];
for (const [name, text, message] of limits) {
  Deno.test(`sdp refuses ${name}, naming the value and the range`, () => {
    assert.throws(() => {
      const s = parseSdp(text);
      for (const m of s.media) for (const f of m.formats) rtpmap(m, f);
    }, (e: unknown) => e instanceof ProtocolError && message.test(e.message));
  });
}

Deno.test("sdp: 16 m= lines and a 4096-character line are still read", () => {
  const s = parseSdp("v=0\r\n" + mLine.repeat(16) + `a=tool:${"x".repeat(4089)}\r\n`);
  assert.equal(s.media.length, 16);
  assert.equal(attribute(s.media[15], "tool")?.length, 4089);
});
