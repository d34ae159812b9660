import assert from "node:assert/strict";
import { admissionQuery } from "./_live_play.ts";

Deno.test("admissionQuery: LL-HLS delivery directives are left out of what admission (the auth callback) sees", () => {
  assert.equal(admissionQuery("token=abc"), "token=abc");
  assert.equal(admissionQuery("token=abc&_HLS_msn=12&_HLS_part=3"), "token=abc");
  assert.equal(admissionQuery("_HLS_msn=12&_HLS_part=3&_HLS_skip=YES&ll"), "ll");
  assert.equal(admissionQuery("x_HLS_msn=1"), "x_HLS_msn=1", "only the directives themselves");
  assert.equal(admissionQuery(""), "");
});
