import assert from "node:assert/strict";
import { parsePolicy } from "../config/mod.ts";
import { type ForwardTarget, forwardTargets, sameUrl, sourceOf, type StreamSource } from "./targets.ts";

const XML = `<policy>
  <vhosts>
    <vhost name="rtmp://www.qiyicc.com/live">
      <forward rewrite="">10.0.0.2</forward>
      <forward rewrite="rtmps://www.cctv5.com:1936/sport">www.cctv5.com:1936</forward>
    </vhost>
  </vhosts>
  <urls>
    <url name="rtmp://www.qiyicc.com/live/sport">
      <forward rewrite="rtmp://www.espn.com/live/sport">54.230.173.30:1935</forward>
      <forward rewrite="rtmps://www.espn.com/live/sport">54.230.173.32</forward>
      <forward rewrite="">[::1]:19350</forward>
    </url>
  </urls>
</policy>`;

Deno.test("forward targets: vhost (app forward) and url (single forward), rewrite semantics", () => {
  const { policy } = parsePolicy(XML);
  const cases: [StreamSource, ForwardTarget[]][] = [
    // vhost: "" keeps the source URL, a rewrite is a tcUrl the stream name is appended to.
    [{ tcUrl: "rtmp://www.qiyicc.com/live", stream: "music" }, [
      { host: "10.0.0.2", port: 1935, url: "rtmp://www.qiyicc.com/live/music", tls: false },
      { host: "www.cctv5.com", port: 1936, url: "rtmps://www.cctv5.com:1936/sport/music", tls: true },
    ]],
    // Case, any port and a trailing slash do not matter; url rules add to vhost rules; a url
    // rewrite is the whole URL; without a port in the text, the URL's port, else 1935 / 443.
    [{ tcUrl: "RTMP://WWW.qiyicc.com:19350/live/", stream: "sport" }, [
      { host: "10.0.0.2", port: 1935, url: "RTMP://WWW.qiyicc.com:19350/live/sport", tls: false },
      { host: "www.cctv5.com", port: 1936, url: "rtmps://www.cctv5.com:1936/sport/sport", tls: true },
      { host: "54.230.173.30", port: 1935, url: "rtmp://www.espn.com/live/sport", tls: false },
      { host: "54.230.173.32", port: 443, url: "rtmps://www.espn.com/live/sport", tls: true },
      { host: "::1", port: 19350, url: "RTMP://WWW.qiyicc.com:19350/live/sport", tls: false },
    ]],
    [{ tcUrl: "rtmp://other.com/live", stream: "sport" }, []],
    [{ tcUrl: "rtmp://www.qiyicc.com/live2", stream: "sport" }, []],
  ];
  for (const [src, want] of cases) assert.deepEqual(forwardTargets(policy, src), want, JSON.stringify(src));
});

Deno.test("URL names compare without port, case, trailing slash or query", () => {
  const cases: [string, string, boolean][] = [
    ["rtmp://a.com/live", "RTMP://A.COM:1935/live/", true],
    ["rtmp://a.com/live", "rtmp://a.com:19350/live", true],
    ["rtmp://a.com/live", "rtmp://a.com/live?token=1", true],
    ["rtmp://[::1]:1935/live", "rtmp://[::1]/live", true],
    ["rtmp://a.com/live", "rtmp://a.com/Live", false],
    ["rtmp://a.com/live", "rtmps://a.com/live", false],
    ["rtmp://a.com/live", "rtmp://b.com/live", false],
  ];
  for (const [a, b, want] of cases) assert.equal(sameUrl(a, b), want, `${a} vs ${b}`);
});

Deno.test("a stream's tcUrl: its own host, or this server's when it named none (SRT, bare RTMP)", () => {
  const cases: [{ vhost: string; app: string; name: string }, StreamSource][] = [
    [{ vhost: "a.com", app: "live", name: "x" }, { tcUrl: "rtmp://a.com/live", stream: "x" }],
    [{ vhost: "", app: "live", name: "x" }, { tcUrl: "rtmp://me.example/live", stream: "x" }],
    [{ vhost: "__defaultVhost__", app: "live", name: "x" }, { tcUrl: "rtmp://me.example/live", stream: "x" }],
    [{ vhost: "::1", app: "live", name: "x" }, { tcUrl: "rtmp://[::1]/live", stream: "x" }],
  ];
  for (const [s, want] of cases) assert.deepEqual(sourceOf(s, "me.example"), want, JSON.stringify(s));
});
