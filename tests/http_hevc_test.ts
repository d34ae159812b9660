/**
 * HEVC out over HTTP-FLV, in both forms: legacy codec id 12 (flv.js/mpegts.js, smart_rtmpd) and
 * Enhanced RTMP (`?form=enhanced`, hvc1). ffmpeg 5.1 reads neither from FLV, so the test demuxes the
 * FLV with our demuxer, writes the NAL units out as Annex B and lets ffmpeg decode that.
 */
import assert from "node:assert/strict";
import { concat, type H265Track } from "../src/core/mod.ts";
import { avccToAnnexB, joinAnnexB } from "../src/codecs/mod.ts";
import { FLV_TAG_VIDEO, FlvDemuxer, FlvTagReader } from "../src/formats/flv/mod.ts";
import { requireTool, run, startTestServer, waitFor } from "./support/mod.ts";
import { hevcFrames } from "./support/rtmp_media.ts";

requireTool("ffmpeg");

Deno.test("http-flv HEVC: legacy codec id 12 and enhanced hvc1 both carry decodable H.265", async () => {
  const dir = await Deno.makeTempDir();
  const frames = await hevcFrames(dir, 4);
  await Deno.remove(dir, { recursive: true });
  const track = frames[0].track;
  assert.ok(frames.length >= 110 && frames[0].key);
  const ts = await startTestServer();
  const { hub } = ts;
  try {
    const play = async (form: string) => {
      const res = await fetch(ts.http(`/live/hevc.flv${form}`));
      const tags = new FlvTagReader();
      const demux = new FlvDemuxer({ hevcCodecId: 12 });
      const out: Uint8Array[] = [];
      let first: number | undefined;
      for await (const chunk of res.body!) {
        for (const t of tags.push(chunk)) {
          if (t.type !== FLV_TAG_VIDEO) continue;
          first ??= t.body[0];
          const f = demux.video(t.body, t.timestamp);
          const v = demux.videoTrack as H265Track | undefined;
          if (f && v) {
            out.push(f.key ? joinAnnexB([v.vps, v.sps, ...v.pps]) : new Uint8Array(), avccToAnnexB(f.data));
          }
        }
      }
      return { annexB: concat(out), first: first ?? 0 };
    };
    const players = [play(""), play("?form=enhanced")];
    await new Promise((r) => setTimeout(r, 200));
    const stream = await hub.publish({
      role: "publisher",
      protocol: "rtmp",
      app: "live",
      name: "hevc",
      vhost: "",
      query: "",
    });
    await waitFor(() => stream.players.get("http-flv") === 2, 3000, "two players");
    stream.setTrack(track);
    const t0 = Date.now();
    for (const [i, f] of frames.entries()) {
      const wait = t0 + i * 33 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      stream.write(f);
    }
    stream.end();
    const [legacy, enhanced] = await Promise.all(players);
    assert.equal(legacy.first & 0x0f, 12, "legacy codec id 12");
    assert.equal(legacy.first & 0x80, 0);
    assert.equal(enhanced.first & 0x80, 0x80, "enhanced header bit");
    for (const [name, p] of [["legacy", legacy], ["enhanced", enhanced]] as const) {
      const r = await run("ffmpeg", [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "hevc",
        "-i",
        "-",
        "-f",
        "null",
        "-",
        "-progress",
        "pipe:1",
      ], { timeoutMs: 20_000, stdin: p.annexB });
      const decoded = Number([...r.stdout.matchAll(/^frame=(\d+)/gm)].pop()?.[1] ?? 0);
      assert.ok(decoded >= frames.length - 2, `${name}: decoded ${decoded} of ${frames.length}: ${r.stderr}`);
    }
  } finally {
    await ts.close();
  }
});
