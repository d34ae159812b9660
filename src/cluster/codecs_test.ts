import assert from "node:assert/strict";
import type { Codec, Track } from "../core/mod.ts";
import { carriable, publishForm } from "./codecs.ts";

const VIDEO = new Set<Codec>(["h264", "h265", "av1", "vp8", "vp9"]);
const track = (codec: Codec) => ({ codec, kind: VIDEO.has(codec) ? "video" : "audio" }) as Track;

Deno.test("codecs RTMP carries to legacy and Enhanced RTMP targets, and the publish form", () => {
  const cases: [Codec, boolean, boolean, "legacy" | "enhanced" | null][] = [
    // codec, to legacy, to enhanced, form to an enhanced target (video only)
    ["h264", true, true, "legacy"],
    ["h265", false, true, "enhanced"],
    ["av1", false, true, "enhanced"],
    ["vp9", false, true, "enhanced"],
    ["vp8", false, true, "enhanced"],
    ["aac", true, true, null],
    ["mp3", true, true, null],
    ["pcma", true, true, null],
    ["pcmu", true, true, null],
    ["opus", false, true, null],
  ];
  for (const [codec, legacy, enhanced, form] of cases) {
    assert.equal(carriable(track(codec), false), legacy, `${codec} legacy`);
    assert.equal(carriable(track(codec), true), enhanced, `${codec} enhanced`);
    if (form) {
      assert.equal(publishForm(track(codec), true), form, codec);
      assert.equal(publishForm(track(codec), false), "legacy", codec);
    }
  }
  assert.equal(publishForm(undefined, true), "legacy");
});
