import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { authorization, RtspAuthenticator } from "./auth.ts";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

Deno.test("rtsp auth: Basic and Digest (with and without qop) from our client verify", () => {
  const a = new RtspAuthenticator({ alice: "pw" });
  const challenges = a.challenge().map(([, v]) => v);
  const uri = "rtsp://h/live/cam";
  const digest = authorization(challenges, { user: "alice", pass: "pw", method: "DESCRIBE", uri })!;
  assert.match(digest, /^Digest /);
  assert.equal(a.verify("DESCRIBE", digest), "alice");
  assert.equal(a.verify("SETUP", digest), undefined, "bound to the method");
  const basic = authorization([challenges[1]], { user: "alice", pass: "pw", method: "PLAY", uri })!;
  assert.equal(a.verify("PLAY", basic), "alice");
  assert.equal(a.verify("PLAY", `Basic ${btoa("alice:nope")}`), undefined);
  assert.equal(a.verify("PLAY", `Basic ${btoa("mallory:pw")}`), undefined);
  assert.equal(a.verify("PLAY", "Basic !!!"), undefined);
  assert.equal(a.verify("PLAY", undefined), undefined);
  // qop=auth, computed by hand as a client would
  const nonce = /nonce="([^"]+)"/.exec(challenges[0])![1];
  const ha1 = md5(`alice:${a.realm}:pw`), ha2 = md5(`PLAY:${uri}`);
  const resp = md5(`${ha1}:${nonce}:00000002:abc:auth:${ha2}`);
  const h =
    `Digest username="alice", realm="${a.realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=00000002, cnonce="abc", response="${resp}"`;
  assert.equal(a.verify("PLAY", h), "alice");
  assert.equal(a.verify("PLAY", h.replace(nonce, "0".repeat(32))), undefined, "a nonce we never issued");
});
