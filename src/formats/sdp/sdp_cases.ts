// Test-only cases shared by sdp_test.ts and the fuzzer (src/fuzz).
/** What ffmpeg 5.1 sends in ANNOUNCE for H.264 + AAC: the table tests' case and the fuzzer's seed. */
export const FFMPEG_ANNOUNCE = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=No Name",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "a=tool:libavformat 59.27.100",
  "m=video 0 RTP/AVP 96",
  "b=AS:1000",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAHqzZQUH7ARAAAAMAEAAAAwPA8WLZYA==,aOvjyyLA; profile-level-id=64001E",
  "a=control:streamid=0",
  "m=audio 0 RTP/AVP 97",
  "b=AS:128",
  "a=rtpmap:97 MPEG4-GENERIC/44100/2",
  "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=121056E500",
  "a=control:streamid=1",
  "",
].join("\r\n");
