import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { readAnnouncement } from "./announce.ts";
import { RtspError, RtspHeaders, type RtspRequest } from "./message.ts";

const SESSION = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n";
const H264 = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n";
const PCMA = "m=audio 0 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=control:trackID=1\r\n";
const VP9 = "m=video 0 RTP/AVP 98\r\na=rtpmap:98 VP9/90000\r\na=control:trackID=0\r\n";
const T140 = "m=text 0 RTP/AVP 99\r\na=rtpmap:99 t140/1000\r\na=control:trackID=2\r\n";

function announce(sdp: string, type = "application/sdp"): RtspRequest {
  return {
    method: "ANNOUNCE",
    uri: "rtsp://127.0.0.1/live/a",
    headers: new RtspHeaders([["Content-Type", type]]),
    body: new TextEncoder().encode(SESSION + sdp),
  };
}

Deno.test("readAnnouncement: the kinds of the media we can receive; every m= line kept for SETUP", () => {
  const cases: [string, { video: boolean; audio: boolean }, number][] = [
    [H264 + PCMA, { video: true, audio: true }, 2],
    [H264, { video: true, audio: false }, 1],
    [PCMA, { video: false, audio: true }, 1],
    [VP9 + PCMA, { video: false, audio: true }, 2],
    [H264 + T140, { video: true, audio: false }, 2],
  ];
  for (const [sdp, kinds, count] of cases) {
    const a = readAnnouncement(announce(sdp));
    assert.deepEqual(a.kinds, kinds, sdp);
    assert.equal(a.medias.length, count, sdp);
  }
});

Deno.test("readAnnouncement: 415 for a body that is not SDP, or SDP with nothing we can receive", () => {
  for (const req of [announce(H264, "text/plain"), announce(VP9 + T140), announce("")]) {
    assert.throws(() => readAnnouncement(req), (e: unknown) => e instanceof RtspError && e.status === 415);
  }
});

Deno.test("readAnnouncement: SDP values out of range are a ProtocolError (400), naming field and value", () => {
  const aac = (fmtp: string) =>
    `m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/44100/2\r\na=fmtp:97 mode=AAC-hbr;config=1210;${fmtp}\r\n`;
  const cases: [string, RegExp][] = [
    [aac("sizelength=13;indexlength=-13;indexdeltalength=3"), /indexlength "-13"/],
    [aac("sizelength=99"), /sizelength 99 is invalid/],
    [H264.replace("a=control", "a=fmtp:96 sprop-parameter-sets=@@@\r\na=control"), /sprop-parameter-sets/],
    [PCMA.repeat(600), /more than 16 m= lines/],
  ];
  for (const [sdp, message] of cases) {
    assert.throws(
      () => readAnnouncement(announce(sdp)),
      (e: unknown) => e instanceof ProtocolError && e.code === "protocol" && message.test(e.message),
      sdp.slice(0, 80),
    );
  }
});
