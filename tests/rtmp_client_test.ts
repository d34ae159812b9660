/**
 * Our RtmpClient against our server: HEVC published as legacy codec id 12 and as Enhanced RTMP,
 * with Opus (enhanced only), played back by a legacy and an Enhanced RTMP player. The HEVC NAL
 * units come back out as Annex B and must decode in ffmpeg.
 */
import assert from "node:assert/strict";
import { avccToAnnexB, joinAnnexB } from "../src/codecs/mod.ts";
import type { Frame, H265Track } from "../src/core/mod.ts";
import { RtmpClient } from "../src/protocols/rtmp/mod.ts";
import { hevcFrames, interleave, opusFrames, paced } from "./support/rtmp_media.ts";
import { requireTool, run, startTestServer } from "./support/mod.ts";

async function collect(c: RtmpClient): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of c.frames()) out.push(f);
  return out;
}

Deno.test("rtmp client: HEVC (legacy id 12 and Enhanced) + Opus round trip, decodable Annex B", async () => {
  requireTool("ffmpeg");
  // Players come first and wait for their publisher (<rtmp><notfound>wait, <playwait> 20 s).
  const ts = await startTestServer({ rtmp: { notfound: "wait", playwait: 20 } });
  const dir = ts.root;
  try {
    const [video, audio] = await Promise.all([hevcFrames(dir, 3), opusFrames(dir, 3)]);
    assert.ok(video.length >= 85, `encoded ${video.length} HEVC frames`);
    const media = interleave(video, audio);
    const base = ts.rtmp("/live");

    const session = async (form: "legacy" | "enhanced") => {
      const key = `hevc_${form}`;
      // Players first (they wait for the publisher), so each sees the stream from its start.
      const legacyPlayer = await RtmpClient.connect(`${base}/${key}`, { fourCcList: [] });
      const enhancedPlayer = await RtmpClient.connect(`${base}/${key}`, { fourCcList: ["hvc1", "Opus"] });
      const plays = [legacyPlayer, enhancedPlayer].map(async (p) => {
        await p.play();
        return await collect(p);
      });
      await new Promise((r) => setTimeout(r, 200));
      const pub = await RtmpClient.connect(`${base}/${key}?token=abc`);
      await pub.publish({ form });
      const v = video[0].track as H265Track;
      await pub.setMetadata(v, audio[0].track as never);
      await paced(media, (f) => pub.write(f), 3);
      await new Promise((r) => setTimeout(r, 300));
      await pub.stop();
      const [legacyFrames, enhancedFrames] = await Promise.all(plays);
      return { legacyPlayer, enhancedPlayer, legacyFrames, enhancedFrames };
    };

    const results = await Promise.all([session("legacy"), session("enhanced")]);
    for (const [i, r] of results.entries()) {
      const form = i === 0 ? "legacy" : "enhanced";
      assert.equal(r.legacyPlayer.videoForm, "legacy", `${form} publish → legacy player gets codec id 12`);
      assert.equal(r.enhancedPlayer.videoForm, "enhanced", `${form} publish → enhanced player gets hvc1`);
      for (const [who, frames] of [["legacy", r.legacyFrames], ["enhanced", r.enhancedFrames]] as const) {
        const vf = frames.filter((f) => f.track.kind === "video");
        const af = frames.filter((f) => f.track.kind === "audio");
        assert.ok(
          vf.length >= video.length - 5,
          `${form}/${who}: ${vf.length} of ${video.length} video frames`,
        );
        assert.ok(
          af.length >= audio.length - 10,
          `${form}/${who}: ${af.length} of ${audio.length} Opus frames`,
        );
        const t = vf[0].track as H265Track;
        assert.equal(t.codec, "h265");
        assert.deepEqual([t.width, t.height], [320, 240]);
        assert.equal(af[0].track.codec, "opus");
        assert.equal(af[0].track.channels, 2);
        // Annex B: parameter sets then every access unit; ffmpeg must decode them all.
        const file = `${dir}/${form}_${who}.hevc`;
        const parts = [joinAnnexB([t.vps, t.sps, ...t.pps]), ...vf.map((f) => avccToAnnexB(f.data))];
        await Deno.writeFile(file, new Uint8Array(parts.flatMap((p) => [...p])));
        const dec = await run("ffmpeg", [
          "-nostdin",
          "-v",
          "error",
          "-f",
          "hevc",
          "-i",
          file,
          "-f",
          "null",
          "-",
          "-progress",
          "pipe:1",
        ], { timeoutMs: 30_000 });
        const decoded = Number([...dec.stdout.matchAll(/frame=(\d+)/g)].pop()?.[1] ?? 0);
        assert.ok(decoded >= vf.length - 2, `${form}/${who}: ffmpeg decoded ${decoded} of ${vf.length}`);
      }
    }
  } finally {
    await ts.close();
  }
});
