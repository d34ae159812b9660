import assert from "node:assert/strict";
import { ConfigError } from "../core/errors.ts";
import { loadPolicy, parsePolicy, type Policy, policyFileFor } from "./mod.ts";

const REFERENCE = new URL("./testdata/smart_rtmpd_policy.xml.txt", import.meta.url).pathname;

Deno.test("smart_rtmpd's policy.xml loads as is: all its entries are empty examples", () => {
  const { policy, warnings } = loadPolicy(REFERENCE);
  assert.deepEqual(policy, { vhosts: [], urls: [], pulls: [] });
  assert.deepEqual(warnings, []);
});

Deno.test("missing policy file or none given means no forwarding", () => {
  for (const file of [undefined, "/nonexistent/policy.xml"]) {
    assert.deepEqual(loadPolicy(file), { policy: { vhosts: [], urls: [], pulls: [] }, warnings: [] });
  }
});

const XML = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<policy>
  <vhosts>
    <vhost name="rtmp://www.qiyicc.com/live">
      <forward rewrite="">10.0.0.2</forward>
      <forward rewrite="rtmps://www.cctv5.com:1936/sport">www.cctv5.com:1936</forward>
      <forward rewrite=""></forward>
    </vhost>
    <vhost name="" />
    <vhost name="rtmp://empty.example/live"><forward rewrite=""/></vhost>
  </vhosts>
  <urls>
    <url name="rtmp://www.qiyicc.com/live/sport">
      <forward rewrite="rtmp://www.espn.com/live/sport">54.230.173.30:1935</forward>
      <forward rewrite="rtmps://www.espn.com/live/sport">54.230.173.32</forward>
    </url>
  </urls>
</policy>`;

Deno.test("policy parsing keeps only real entries", () => {
  const { policy, warnings } = parsePolicy(XML);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    policy,
    {
      vhosts: [{
        name: "rtmp://www.qiyicc.com/live",
        forwards: [
          { target: "10.0.0.2", rewrite: "" },
          { target: "www.cctv5.com:1936", rewrite: "rtmps://www.cctv5.com:1936/sport" },
        ],
      }],
      urls: [{
        name: "rtmp://www.qiyicc.com/live/sport",
        forwards: [
          { target: "54.230.173.30:1935", rewrite: "rtmp://www.espn.com/live/sport" },
          { target: "54.230.173.32", rewrite: "rtmps://www.espn.com/live/sport" },
        ],
      }],
      pulls: [],
    } satisfies Policy,
  );
});

Deno.test("policy.xml lives beside the config file, or in <root>/conf without one", () => {
  const cases: [string | null, string][] = [
    [null, "/srv/estuary/conf/policy.xml"],
    ["/etc/estuary/config.xml", "/etc/estuary/policy.xml"],
    ["conf/my.xml", "conf/policy.xml"],
    ["config.xml", "policy.xml"],
  ];
  for (const [file, want] of cases) assert.equal(policyFileFor(file, "/srv/estuary/"), want, String(file));
});

Deno.test("invalid policy values are ConfigErrors naming the entry", () => {
  const cases: [string, string][] = [
    [
      `<policy><urls><url name="rtmp://a/live/x"><forward rewrite="">h:99999</forward></url></urls></policy>`,
      'p.xml: urls/url[0]/forward[0]/target = "h:99999" is invalid: must be host or host:port with port 1..65535',
    ],
    [
      `<policy><vhosts><vhost name="rtmp://a/live"><forward rewrite="http://x/y">h:1</forward></vhost></vhosts></policy>`,
      'p.xml: vhosts/vhost[0]/forward[0]/rewrite = "http://x/y" is invalid: must be empty or an rtmp:// or rtmps:// URL',
    ],
    [`<policy><urls>`, "p.xml is not well-formed XML"],
    [`<config/>`, "p.xml has no <policy> root element"],
  ];
  for (const [xml, want] of cases) {
    assert.throws(
      () => parsePolicy(xml, "p.xml"),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(want),
      want,
    );
  }
});

Deno.test("unknown policy elements are warnings", () => {
  const { warnings } = parsePolicy(
    `<policy><vhosts><vhost name="a" weight="2"/></vhosts><pull/></policy>`,
    "p.xml",
  );
  assert.deepEqual(warnings, [
    "unknown attribute vhosts/vhost@weight in p.xml (ignored)",
    "unknown element pull in p.xml (ignored)",
  ]);
});

Deno.test("policy pulls: name, source and ondemand; empty examples dropped; bad sources and names refused by name", () => {
  const { policy } = parsePolicy(`<policy><pulls>
    <pull name="live/cam1" ondemand="true">rtsp://u:p@cam/stream</pull>
    <pull name="live/b">srt://10.0.0.2:9000?streamid=#!::r=live/b,m=request</pull>
    <pull name=""></pull>
  </pulls></policy>`);
  assert.deepEqual(policy.pulls, [
    { name: "live/cam1", url: "rtsp://u:p@cam/stream", ondemand: true },
    { name: "live/b", url: "srt://10.0.0.2:9000?streamid=#!::r=live/b,m=request", ondemand: false },
  ]);
  assert.throws(
    () => parsePolicy(`<policy><pulls><pull name="live/x">ftp://a/b</pull></pulls></policy>`),
    /must be an rtsp:\/\//,
  );
  assert.throws(
    () => parsePolicy(`<policy><pulls><pull name="x">rtmp://a/b</pull></pulls></policy>`),
    /must be app\/name/,
  );
  assert.throws(
    () =>
      parsePolicy(
        `<policy><pulls><pull name="live/x">rtmp://a/b</pull><pull name="live/x">rtmp://c/d</pull></pulls></policy>`,
      ),
    /a stream is pulled once/,
  );
});
