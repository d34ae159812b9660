import assert from "node:assert/strict";
import { splitAnnexB } from "../../codecs/nal.ts";
import { fixture } from "./_test_util.ts";
import { h264ReorderDepth, h265ReorderDepth } from "./reorder_depth.ts";

Deno.test("reorder depth from real SPS", () => {
  const h264 = splitAnnexB(fixture("h264_320x240_bframes.h264")).find((n) => (n[0] & 0x1f) === 7)!;
  const h265 = splitAnnexB(fixture("h265_320x240.h265")).find((n) => ((n[0] >> 1) & 0x3f) === 33)!;
  assert.equal(h264ReorderDepth(h264), 2);
  assert.equal(h265ReorderDepth(h265), 0);
});
