import assert from "node:assert/strict";
import { parseStreamId, type StreamRoute } from "./streamid.ts";
import { ProtocolError } from "../../core/errors.ts";

Deno.test("stream ids: access control, smart_rtmpd and bare forms", () => {
  const cases: [string, Partial<StreamRoute>][] = [
    ["#!::r=live/feed,m=publish", { mode: "publish", app: "live", name: "feed", vhost: "", query: "" }],
    ["#!::r=live/feed,m=request", { mode: "request", app: "live", name: "feed" }],
    ["#!::r=live/feed", { mode: "request", app: "live", name: "feed" }],
    [
      "#!::h=example.com,r=live/feed,m=publish,u=alice,s=abc,token=xyz",
      {
        mode: "publish",
        vhost: "example.com",
        user: "alice",
        session: "abc",
        query: "h=example.com&u=alice&s=abc&token=xyz",
      },
    ],
    ["#!::r=/live/feed?token=1,m=publish", { app: "live", name: "feed", query: "token=1" }],
    ["#!::t=stream,r=live/feed", { app: "live", query: "t=stream" }],
    ["127.0.0.1:9000/live/feed,role=publisher", {
      mode: "publish",
      app: "live",
      name: "feed",
      vhost: "127.0.0.1",
    }],
    ["example.com:9000/live/feed,role=player", { mode: "request", vhost: "example.com" }],
    ["example.com/live/feed,role=player,token=1", {
      mode: "request",
      vhost: "example.com",
      query: "token=1",
    }],
    ["live/feed,role=publisher", { mode: "publish", app: "live", name: "feed", vhost: "" }],
    ["live/feed", { mode: "request", app: "live", name: "feed", vhost: "", query: "" }],
    ["live/feed,m=publish", { mode: "publish" }],
    ["/live/feed?m=publish&token=2", { mode: "publish", query: "token=2" }],
    ["[::1]:9000/live/feed,role=publisher", { vhost: "::1", app: "live" }],
  ];
  for (const [sid, want] of cases) {
    const got = parseStreamId(sid);
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual(got[k as keyof StreamRoute], v, `${sid}: ${k}`);
    }
  }
});

Deno.test("bad stream ids are a ProtocolError naming the rule", () => {
  const cases: [string, RegExp][] = [
    ["#!::m=publish", /r=<app>\/<name> is required/],
    ["#!::r=live/feed,m=bidirectional", /m=bidirectional is not supported/],
    ["#!::r=live/feed,t=file", /t=file is not supported/],
    ["#!:{r=live/feed}", /only the #!:: key=value syntax/],
    ["#!::r=live/feed,garbage", /"garbage" is not key=value/],
    ["live", /<app>\/<name>/],
    ["live/", /<app>\/<name>/],
    ["live/feed,role=admin", /role=admin: must be publisher or player/],
  ];
  for (const [sid, re] of cases) {
    assert.throws(
      () => parseStreamId(sid),
      (e: Error) => e instanceof ProtocolError && re.test(e.message),
      sid,
    );
  }
});
