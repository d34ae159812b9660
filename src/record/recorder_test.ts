import assert from "node:assert/strict";
import { Hub } from "../core/hub.ts";
import type { Frame } from "../core/frame.ts";
import type { Track } from "../core/track.ts";
import { createLogger, MemorySink, nullLogger } from "../log/mod.ts";
import { TsDemuxer } from "../formats/mpegts/mod.ts";
import { parseMediaPlaylist } from "../formats/hls/mod.ts";
import { XMLParser } from "fast-xml-parser";
import { createRecorder, type RecorderOptions, RECORDING_OUTPUT } from "./recorder.ts";
import { repairRecordings } from "./repair.ts";
import { findRecorded, listDays, listFiles, listStreams } from "./index.ts";
import { dayAndTime, vhostFolder } from "./paths.ts";

async function fixture(): Promise<{ tracks: Track[]; frames: Frame[] }> {
  const tracks: Track[] = [], frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: (f) => frames.push(f) });
  d.push(await Deno.readFile(new URL("../formats/segment/testdata/h264_aac_3s.mpegts", import.meta.url)));
  d.flush();
  return { tracks, frames };
}

function hub() {
  return new Hub({
    liveApps: ["live"],
    recApps: ["rec"],
    gop: { enabled: true, maxFrames: 1024, maxBytes: 1 << 24 },
    maxIdleMs: 0,
  });
}

/** A publisher on `app/name` (tracks and frames are the caller's). */
function publisher(h: Hub, app: string, name: string) {
  return h.publish({ role: "publisher", protocol: "rtmp", app, name, vhost: "127.0.0.1:1935", query: "" });
}

async function publish(h: Hub, app: string, name: string) {
  const { tracks, frames } = await fixture();
  const s = await publisher(h, app, name);
  for (const t of tracks) s.setTrack(t);
  for (const f of frames) s.write(f);
  s.end();
  return frames.length;
}

/** A recorder on `root` (HLS, 500 ms segments, 10 min files unless `o` says otherwise). */
function recorder(h: Hub, root: string, o: Partial<RecorderOptions> = {}) {
  return createRecorder({
    hub: h,
    log: nullLogger,
    root,
    recmode: 1,
    recdurationMin: 10,
    segmentMs: 500,
    ...o,
  });
}

async function until(fn: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("recorder: HLS files roll, end with ENDLIST, and list through the index", async () => {
  const root = await Deno.makeTempDir();
  const h = hub();
  const rec = recorder(h, root, { recdurationMin: 1.5 / 60 });
  await rec.start();
  try {
    await publish(h, "live", "notrecorded");
    await publish(h, "rec", "cam");
    await until(() => rec.recording.length === 0 && rec.stats().files === 2);
    const [day] = dayAndTime(Date.now());
    assert.deepEqual(await listStreams(root), ["cam"]);
    assert.deepEqual(await listStreams(root, "127.0.0.1"), ["cam"]);
    assert.deepEqual(await listStreams(root, "other"), []);
    assert.deepEqual(await listDays(root, "cam"), [day]);
    const files = await listFiles(root, "cam", day);
    assert.equal(files.length, 2);
    let total = 0;
    for (const f of files) {
      const path = await findRecorded(root, { stream: "cam", day, rest: [f] });
      const p = parseMediaPlaylist(await Deno.readTextFile(path!));
      assert.equal(p.endList, true);
      assert.equal(p.playlistType, "VOD");
      for (const s of p.segments) {
        const seg = await findRecorded(root, { stream: "cam", day, rest: s.uri.split("/") });
        assert.ok(seg, s.uri);
        assert.equal((await Deno.readFile(seg!))[0], 0x47);
      }
      total += p.duration;
    }
    assert.ok(Math.abs(total - 3) < 0.2, `recorded ${total} s`);
    assert.equal(await findRecorded(root, { stream: "..", day, rest: [files[0]] }), undefined);
    assert.equal(await findRecorded(root, { stream: "cam", day, rest: ["..", "x"] }), undefined);
  } finally {
    await rec.close();
    h.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recorder: DASH (recmode 0) writes init + per-track segments and a static MPD", async () => {
  const root = await Deno.makeTempDir();
  const h = hub();
  const rec = recorder(h, root, { recmode: 0, segmentMs: 1000 });
  await rec.start();
  try {
    await publish(h, "rec", "cam");
    await until(() => rec.recording.length === 0 && rec.stats().files === 1);
    const [day] = dayAndTime(Date.now());
    const [file] = await listFiles(root, "cam", day);
    assert.match(file, /^\d\d-\d\d-\d\d\.mpd$/);
    const mpd = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "S" })
      .parse(await Deno.readTextFile((await findRecorded(root, { stream: "cam", day, rest: [file] }))!)).MPD;
    assert.equal(mpd.type, "static");
    assert.ok(mpd.mediaPresentationDuration.startsWith("PT3"), mpd.mediaPresentationDuration);
    const time = file.slice(0, -4);
    for (const set of mpd.Period.AdaptationSet) {
      const tpl = set.SegmentTemplate;
      assert.equal(tpl.startNumber, "0");
      assert.ok(await findRecorded(root, { stream: "cam", day, rest: tpl.initialization.split("/") }));
      const count = (tpl.SegmentTimeline.S as Record<string, string>[]).reduce(
        (a, x) => a + 1 + Number(x.r ?? 0),
        0,
      );
      for (let n = 0; n < count; n++) {
        const seg = tpl.media.replace("$Number$", String(n));
        assert.ok(seg.startsWith(`${time}/`));
        assert.ok(await findRecorded(root, { stream: "cam", day, rest: seg.split("/") }), seg);
      }
    }
  } finally {
    await rec.close();
    h.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recorder: an unwritable root stops the recording with one log line; live goes on", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "not a folder");
  const sink = new MemorySink();
  const h = hub();
  const rec = recorder(h, `${dir}/file/rec`, { log: createLogger({ sinks: [sink] }), recdurationMin: 1 });
  await rec.start();
  try {
    const { tracks, frames } = await fixture();
    const s = await publisher(h, "rec", "cam");
    let live = 0;
    s.addReader((fs) => void (live += fs.length));
    for (const t of tracks) s.setTrack(t);
    for (const f of frames) s.write(f);
    await until(() => rec.recording.length === 0);
    s.end();
    await until(() => live === frames.length);
    const errors = sink.lines.filter((l) => l.includes("ERROR"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /recording stopped: cannot write, the live stream goes on/);
    assert.equal(rec.stats().failures, 1);
  } finally {
    await rec.close();
    h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repairRecordings: closes playlists a crash left open, leaves finished ones alone", async () => {
  const root = await Deno.makeTempDir();
  const folder = `${root}/host/cam/2024-05-21`;
  await Deno.mkdir(folder, { recursive: true });
  const open = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n10-00-00/0.ts\n";
  await Deno.writeTextFile(`${folder}/10-00-00.m3u8`, open);
  await Deno.writeTextFile(`${folder}/11-00-00.m3u8`, open + "#EXT-X-ENDLIST\n");
  await Deno.writeTextFile(`${folder}/11-00-00.m3u8.tmp`, "partial");
  const repaired = await repairRecordings(root, nullLogger);
  assert.deepEqual(repaired, [`${folder}/10-00-00.m3u8`]);
  assert.equal(await Deno.readTextFile(`${folder}/10-00-00.m3u8`), open + "#EXT-X-ENDLIST\n");
  assert.equal(await Deno.readTextFile(`${folder}/11-00-00.m3u8`), open + "#EXT-X-ENDLIST\n");
  await assert.rejects(Deno.stat(`${folder}/11-00-00.m3u8.tmp`));
  await Deno.remove(root, { recursive: true });
});

Deno.test("vhostFolder", () => {
  const cases: [string, string][] = [
    ["127.0.0.1:1935", "127.0.0.1"],
    ["Example.COM", "example.com"],
    ["[::1]:1935", "__1"],
    ["", "_default_"],
    ["../etc", "_default_"],
    ["a/b", "_default_"],
  ];
  for (const [v, want] of cases) assert.equal(vhostFolder(v), want, v);
});

Deno.test("recorder: a recording is the stream's shared output; closing the recorder releases it, live goes on", async () => {
  const root = await Deno.makeTempDir();
  const h = hub();
  const rec = recorder(h, root);
  await rec.start();
  try {
    const { tracks, frames } = await fixture();
    const s = await publisher(h, "rec", "cam");
    for (const t of tracks) s.setTrack(t);
    assert.deepEqual(s.outputs.ids(), [RECORDING_OUTPUT]);
    assert.equal(s.outputs.refs(RECORDING_OUTPUT), 1);
    assert.deepEqual(rec.recording, ["rec/cam"]);
    for (const f of frames) s.write(f);
    await until(() => rec.stats().segments >= 2);
    await rec.close();
    assert.equal(s.outputs.has(RECORDING_OUTPUT), false, "the last release closed it");
    assert.equal(s.readerCount, 0);
    assert.equal(s.isEnded, false);
    assert.deepEqual(rec.recording, []);
    const [day] = dayAndTime(Date.now());
    const [file] = await listFiles(root, "cam", day);
    const p = parseMediaPlaylist(
      await Deno.readTextFile((await findRecorded(root, { stream: "cam", day, rest: [file] }))!),
    );
    assert.equal(p.endList, true, "the manifest is closed");
    s.end();
  } finally {
    await rec.close();
    h.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recorder on demand: a live stream of any app is recorded from start until stop, and its playlist is closed", async () => {
  const root = await Deno.makeTempDir();
  const h = hub();
  const rec = recorder(h, root);
  await rec.start();
  try {
    const { tracks, frames } = await fixture();
    const s = await publisher(h, "live", "cam");
    for (const t of tracks) s.setTrack(t);
    assert.deepEqual(rec.recording, [], "a live app is not recorded by itself");
    assert.throws(() => rec.startFor("live/none"), /stream live\/none is not live here/);
    assert.equal(rec.startFor("live/cam"), "started");
    assert.equal(rec.startFor("live/cam"), "already");
    assert.deepEqual(rec.recording, ["live/cam"]);
    for (const f of frames) s.write(f);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await rec.stopFor("live/cam"), true);
    assert.equal(await rec.stopFor("live/cam"), false, "not being recorded any more");
    assert.deepEqual(rec.recording, []);
    assert.equal(s.outputs.has(RECORDING_OUTPUT), false, "the output is given back");
    s.end();
    const [file] = await listFiles(root, "cam", (await listDays(root, "cam"))[0]);
    const path = await findRecorded(root, {
      stream: "cam",
      day: (await listDays(root, "cam"))[0],
      rest: [file],
    });
    const playlist = parseMediaPlaylist(await Deno.readTextFile(path!));
    assert.ok(playlist.endList, "closed: ENDLIST written");
    assert.ok(playlist.segments.length >= 1);
  } finally {
    await rec.close();
    h.close();
    await Deno.remove(root, { recursive: true });
  }
});
