import assert from "node:assert/strict";
import { Stream } from "../core/mod.ts";
import { offeredBy } from "../config/mod.ts";
import { type PublicEndpoints, publicUrlsFrom } from "./public_urls.ts";

const stream = new Stream({
  app: "live",
  name: "cam",
  vhost: "",
  info: { from: "rtmp" },
  gop: { enabled: false, maxFrames: 1, maxBytes: 1 },
});

Deno.test("publicUrlsFrom: every output, NAT for outside clients, disabled outputs left out", () => {
  const all: PublicEndpoints = {
    rtmp: { port: 1935, nat: "118.145.6.103:19350" },
    http: { port: 8080, nat: "118.145.6.103" },
    rtsp: { port: 8554 },
    srt: { port: 9000, nat: "118.145.6.103:9001" },
    webrtcPath: (app, name) => `/whep/v1?app=${app}&name=${name}`,
  };
  const cases: { ep: PublicEndpoints; host: string; want: Record<string, string> }[] = [
    {
      ep: all,
      host: "192.168.1.5",
      want: {
        rtmp: "rtmp://192.168.1.5:1935/live/cam",
        "http-flv": "http://192.168.1.5:8080/live/cam.flv",
        "ws-flv": "ws://192.168.1.5:8080/live/cam.flv",
        "http-hls": "http://192.168.1.5:8080/live/cam.m3u8",
        "http-dash": "http://192.168.1.5:8080/live/cam.mpd",
        rtsp: "rtsp://192.168.1.5:8554/live/cam",
        srt: "srt://192.168.1.5:9000?streamid=#!::r=live/cam,m=request",
        webrtc: "http://192.168.1.5:8080/whep/v1?app=live&name=cam",
      },
    },
    {
      ep: all,
      host: "118.145.6.103",
      want: {
        rtmp: "rtmp://118.145.6.103:19350/live/cam",
        "http-flv": "http://118.145.6.103:8080/live/cam.flv",
        "ws-flv": "ws://118.145.6.103:8080/live/cam.flv",
        "http-hls": "http://118.145.6.103:8080/live/cam.m3u8",
        "http-dash": "http://118.145.6.103:8080/live/cam.mpd",
        rtsp: "rtsp://118.145.6.103:8554/live/cam",
        srt: "srt://118.145.6.103:9001?streamid=#!::r=live/cam,m=request",
        webrtc: "http://118.145.6.103:8080/whep/v1?app=live&name=cam",
      },
    },
    {
      ep: { rtmp: { port: 1935 }, http: { port: 8080, hls: false, dash: false } },
      host: "",
      want: {
        rtmp: "rtmp://127.0.0.1:1935/live/cam",
        "http-flv": "http://127.0.0.1:8080/live/cam.flv",
        "ws-flv": "ws://127.0.0.1:8080/live/cam.flv",
      },
    },
    { ep: { http: { port: 8080, flv: false, hls: false, dash: false } }, host: "h", want: {} },
  ];
  for (const c of cases) {
    const got = Object.fromEntries(publicUrlsFrom(() => c.ep)(stream, c.host).map((u) => [u.type, u.url]));
    assert.deepEqual(got, c.want, c.host);
  }
});

Deno.test("publicUrlsFrom: outputs that do not offer the stream (config.xml's has* switches) are left out", () => {
  const ep: PublicEndpoints = {
    rtmp: { port: 1935 },
    http: { port: 8080 },
    rtsp: { port: 8554 },
    srt: { port: 9000 },
    webrtcPath: (app, name) => `/whep/v1?app=${app}&name=${name}`,
    offered: offeredBy({ rtsp: true, srt: false, rtspElsewhere: false, srtElsewhere: true }),
  };
  const types = (from: string) => {
    const s = new Stream({
      app: "live",
      name: "cam",
      vhost: "",
      info: { from },
      gop: { enabled: false, maxFrames: 1, maxBytes: 1 },
    });
    return publicUrlsFrom(() => ep)(s, "h").map((u) => u.type);
  };
  assert.deepEqual(types("rtsp"), ["rtsp"]);
  assert.deepEqual(types("rtmp"), ["rtmp", "http-flv", "ws-flv", "http-hls", "http-dash", "rtsp", "webrtc"]);
});

Deno.test("publicUrlsFrom: the TLS listeners' URLs after the plain ones, NAT addresses for outside clients", () => {
  const ep: PublicEndpoints = {
    http: { port: 8080, hls: false, dash: false },
    rtmps: { port: 1936, nat: "118.145.6.103" },
    https: { port: 8181, nat: "118.145.6.103:443", hls: false },
    rtsps: { port: 322 },
    webrtcPath: (app, name) => `/whep/v1?app=${app}&name=${name}`,
  };
  const urls = (host: string) =>
    Object.fromEntries(publicUrlsFrom(() => ep)(stream, host).map((u) => [u.type, u.url]));
  assert.deepEqual(urls("10.0.0.5"), {
    "http-flv": "http://10.0.0.5:8080/live/cam.flv",
    "ws-flv": "ws://10.0.0.5:8080/live/cam.flv",
    webrtc: "http://10.0.0.5:8080/whep/v1?app=live&name=cam",
    rtmps: "rtmps://10.0.0.5:1936/live/cam",
    "https-flv": "https://10.0.0.5:8181/live/cam.flv",
    "wss-flv": "wss://10.0.0.5:8181/live/cam.flv",
    "https-dash": "https://10.0.0.5:8181/live/cam.mpd",
    rtsps: "rtsps://10.0.0.5:322/live/cam",
    "https-webrtc": "https://10.0.0.5:8181/whep/v1?app=live&name=cam",
  });
  const outside = urls("118.145.6.103");
  assert.equal(outside.rtmps, "rtmps://118.145.6.103:1936/live/cam");
  assert.equal(outside["https-flv"], "https://118.145.6.103:443/live/cam.flv");
  assert.equal(outside["https-webrtc"], "https://118.145.6.103:443/whep/v1?app=live&name=cam");
});
