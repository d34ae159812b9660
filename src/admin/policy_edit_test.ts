import assert from "node:assert/strict";
import { emptyPolicy, parsePolicy } from "../config/mod.ts";
import { checkPolicyText, fromSmartPolicy, policyDiff, toSmartPolicy } from "./policy_edit.ts";

const XML = `<policy>
  <vhosts><vhost name="rtmp://a.com/live"><forward rewrite="">10.0.0.2:1935</forward></vhost></vhosts>
  <pulls><pull name="live/cam" ondemand="true">rtsp://u:p@cam/s</pull></pulls>
</policy>`;

Deno.test("policy edit: the difference names forwards and pulls added and removed; credentials left out", () => {
  const p = checkPolicyText(XML);
  assert.deepEqual(policyDiff(emptyPolicy(), p), [
    "+ forward rtmp://a.com/live/* → 10.0.0.2:1935",
    "+ pull live/cam ← rtsp://cam/s (on demand)",
  ]);
  assert.deepEqual(policyDiff(p, emptyPolicy()).map((l) => l[0]), ["-", "-"]);
  assert.throws(
    () => checkPolicyText("<policy><pulls><pull name='x'>ftp://a</pull></pulls></policy>"),
    /policy.xml/,
  );
});

Deno.test("policy edit: smart_rtmpd's /api/policy JSON round-trips to policy.xml and keeps the pulls", () => {
  const p = checkPolicyText(XML);
  const smart = toSmartPolicy(p);
  assert.deepEqual(smart, {
    vhosts: [{ vhost: "rtmp://a.com/live", forward: [{ rewrite: "", host: "10.0.0.2:1935" }] }],
    urls: [],
  });
  const text = fromSmartPolicy({
    ...smart,
    urls: [{ url: "rtmp://a.com/live/x", forward: [{ rewrite: "rtmp://b/live/y", host: "b:1935" }] }],
  }, p);
  const back = parsePolicy(text).policy;
  assert.equal(back.urls[0].forwards[0].target, "b:1935");
  assert.deepEqual(back.pulls, p.pulls);
  assert.deepEqual(back.vhosts, p.vhosts);
});
