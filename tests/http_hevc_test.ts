/**
 * HEVC out over HTTP-FLV, in both forms: legacy codec id 12 (flv.js/mpegts.js, smart_rtmpd) and
 * Enhanced RTMP (`?form=enhanced`, hvc1). ffmpeg 5.1 reads neither from FLV, so the test demuxes the
 * FLV with our demuxer, writes the NAL units out as Annex B and lets ffmpeg decode that.
 */
import assert from "node:assert/strict";
import { concat, type Frame, type H265Track } from "../src/core/mod.ts";
import {
  avccToAnnexB,
  h265NalType,
  h265Track,
  joinAnnexB,
  joinAvcc,
  splitAnnexB,
} from "../src/codecs/mod.ts";
import { FLV_TAG_VIDEO, FlvDemuxer, FlvTagReader } from "../src/formats/flv/mod.ts";
import { H265, requireTool, run, testHub, waitFor } from "./support/mod.ts";
import { startHttp, testHttpDeps } from "./http_support.ts";

requireTool("ffmpeg");

/** libx265 Annex B with AUDs → one Frame per access unit (30 fps, no B-frames). */
async function hevcFrames(seconds: number): Promise<{ track: H265Track; frames: Frame[] }> {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/x.h265`;
    const h265 = H265.map((a) => a.startsWith("keyint=") ? `${a}:aud=1` : a);
    const r = await run("ffmpeg", [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=320x240:rate=30`,
      "-t",
      String(seconds),
      ...h265,
      "-f",
      "hevc",
      "-y",
      file,
    ], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(r.stderr);
    const aus: Uint8Array[][] = [];
    let vps, sps, pps;
    for (const nal of splitAnnexB(await Deno.readFile(file))) {
      const t = h265NalType(nal);
      if (t === 35) aus.push([]);
      else if (t === 32) vps = nal;
      else if (t === 33) sps = nal;
      else if (t === 34) pps = nal;
      else if (aus.length > 0) aus[aus.length - 1].push(nal);
    }
    const track = h265Track(vps!, sps!, [pps!]);
    const frames = aus.filter((au) => au.length > 0).map((au, i): Frame => ({
      track,
      dts: i * 3000,
      pts: i * 3000,
      key: au.some((n) => h265NalType(n) >= 16 && h265NalType(n) <= 21),
      data: joinAvcc(au),
    }));
    return { track, frames };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("http-flv HEVC: legacy codec id 12 and enhanced hvc1 both carry decodable H.265", async () => {
  const { track, frames } = await hevcFrames(4);
  assert.ok(frames.length >= 110 && frames[0].key);
  const hub = testHub();
  const server = await startHttp(testHttpDeps(hub, { playWaitMs: 3000 }));
  try {
    const play = async (form: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/live/hevc.flv${form}`);
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
    await server.close();
    hub.close();
  }
});
