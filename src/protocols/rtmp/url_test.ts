import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { connectTarget, parseRtmpUrl } from "./url.ts";

const urls = [
  {
    url: "rtmp://127.0.0.1:1936/live/cam1",
    want: {
      tls: false,
      host: "127.0.0.1",
      port: 1936,
      app: "live",
      name: "cam1",
      query: "",
      tcUrl: "rtmp://127.0.0.1:1936/live",
    },
  },
  {
    url: "rtmps://example.com/live/cam1?token=x",
    want: {
      tls: true,
      host: "example.com",
      port: 443,
      app: "live",
      name: "cam1",
      query: "token=x",
      tcUrl: "rtmps://example.com/live",
    },
  },
  {
    url: "rtmp://h/live?a=1/cam?b=2",
    want: {
      tls: false,
      host: "h",
      port: 1935,
      app: "live",
      name: "cam",
      query: "a=1&b=2",
      tcUrl: "rtmp://h/live?a=1",
    },
  },
  {
    url: "rtmp://[::1]:1935/live/x",
    want: {
      tls: false,
      host: "::1",
      port: 1935,
      app: "live",
      name: "x",
      query: "",
      tcUrl: "rtmp://[::1]:1935/live",
    },
  },
];

for (const c of urls) {
  Deno.test(`parseRtmpUrl ${c.url}`, () => {
    const u = parseRtmpUrl(c.url);
    assert.deepEqual({
      tls: u.tls,
      host: u.host,
      port: u.port,
      app: u.app,
      name: u.name,
      query: u.query,
      tcUrl: u.tcUrl,
    }, c.want);
  });
}

Deno.test("parseRtmpUrl rejects other schemes", () => {
  assert.throws(() => parseRtmpUrl("http://h/live/x"), ProtocolError);
});

const targets = [
  {
    app: "live",
    tcUrl: "rtmp://cam.example:1935/live",
    want: { app: "live", query: "", vhost: "cam.example" },
  },
  {
    app: "live?token=x",
    tcUrl: "rtmp://h/live?token=x",
    want: { app: "live", query: "token=x", vhost: "h" },
  },
  { app: "live", tcUrl: "rtmp://h/live?token=x", want: { app: "live", query: "token=x", vhost: "h" } },
  {
    app: "live?vhost=v1",
    tcUrl: "rtmp://1.2.3.4/live?vhost=v1",
    want: { app: "live", query: "vhost=v1", vhost: "v1" },
  },
  { app: "live/", tcUrl: "", want: { app: "live", query: "", vhost: "__defaultVhost__" } },
];
for (const c of targets) {
  Deno.test(`connectTarget ${c.app} ${c.tcUrl}`, () => {
    assert.deepEqual(connectTarget(c.app, c.tcUrl), c.want);
  });
}
