import assert from "node:assert/strict";
import type { Track } from "../../core/track.ts";
import { buildAvcc, buildOpusHead, mp3Track, opusTrack } from "../../codecs/mod.ts";
import { type Box, children, findBox } from "./box.ts";
import { initSegment } from "./init.ts";
import { all, ivfMedia, top, tsMedia, view } from "./_test_util.ts";

const h264aac = tsMedia("h264_aac.mpegts");
const h265 = tsMedia("h265_aac.mpegts").video.track;
const av1 = ivfMedia("av1_160x120.ivf").track;
const vp9 = ivfMedia("vp9_160x120.ivf").track;

const ascii = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** Checks the config box inside a sample entry and returns it. */
type EntryCheck = (entry: Box, track: Track) => void;

const cases: { name: string; track: Track; entry: string; handler: string; check: EntryCheck }[] = [
  {
    name: "H.264",
    track: h264aac.video.track,
    entry: "avc1",
    handler: "vide",
    check: (e, t) => {
      const avcC = children(e).find((b) => b.type === "avcC")!;
      assert.ok(t.codec === "h264");
      assert.deepEqual(avcC.payload, buildAvcc(t.sps, t.pps));
    },
  },
  {
    name: "H.265",
    track: h265,
    entry: "hvc1",
    handler: "vide",
    check: (e, t) => {
      assert.ok(t.codec === "h265");
      assert.deepEqual(children(e).find((b) => b.type === "hvcC")!.payload, t.hvcc);
    },
  },
  {
    name: "AV1",
    track: av1,
    entry: "av01",
    handler: "vide",
    check: (e, t) => {
      assert.ok(t.codec === "av1");
      assert.deepEqual(children(e).find((b) => b.type === "av1C")!.payload, t.config);
    },
  },
  {
    name: "VP9",
    track: vp9,
    entry: "vp09",
    handler: "vide",
    check: (e) => {
      const vpcC = children(e).find((b) => b.type === "vpcC")!;
      assert.equal(vpcC.payload[0], 1); // FullBox version 1
      assert.equal(vpcC.payload[4], 0); // profile 0
    },
  },
  {
    name: "AAC",
    track: h264aac.audio.track,
    entry: "mp4a",
    handler: "soun",
    check: (e, t) => {
      assert.ok(t.codec === "aac");
      const esds = children(e).find((b) => b.type === "esds")!.payload;
      // ES_Descriptor(3) → DecoderConfigDescriptor(4, OTI 0x40, audio) → DecoderSpecificInfo(5) = ASC
      assert.equal(esds[4], 0x03);
      const dcd = esds.indexOf(0x04, 8);
      assert.deepEqual([esds[dcd + 2], esds[dcd + 3]], [0x40, 0x15]);
      const dsi = esds.indexOf(0x05, dcd + 15);
      assert.equal(esds[dsi + 1], t.config.length);
      assert.deepEqual(esds.subarray(dsi + 2, dsi + 2 + t.config.length), t.config);
      assert.deepEqual([...esds.subarray(-3)], [0x06, 1, 0x02]); // SLConfigDescriptor
    },
  },
  {
    name: "MP3",
    track: mp3Track({ sampleRate: 44100, channels: 2 }),
    entry: "mp4a",
    handler: "soun",
    check: (e) => {
      const esds = children(e).find((b) => b.type === "esds")!.payload;
      assert.ok(esds.includes(0x6b));
    },
  },
  {
    name: "Opus without OpusHead",
    track: opusTrack(2),
    entry: "Opus",
    handler: "soun",
    check: (e) => {
      const dOps = children(e).find((b) => b.type === "dOps")!.payload;
      assert.deepEqual([...dOps], [0, 2, 0, 0, 0, 0, 0xbb, 0x80, 0, 0, 0]);
    },
  },
  {
    name: "Opus with OpusHead",
    track: opusTrack(
      2,
      buildOpusHead({ channels: 2, preSkip: 312, inputSampleRate: 44100, outputGain: -256 }),
    ),
    entry: "Opus",
    handler: "soun",
    check: (e) => {
      const dOps = children(e).find((b) => b.type === "dOps")!.payload;
      // big-endian PreSkip 312, InputSampleRate 44100, OutputGain -256 (Q7.8)
      assert.deepEqual([...dOps], [0, 2, 0x01, 0x38, 0, 0, 0xac, 0x44, 0xff, 0x00, 0]);
    },
  },
];

for (const c of cases) {
  Deno.test(`init segment: ${c.name}`, () => {
    const init = initSegment([c.track]);
    const ftyp = top(init, "ftyp");
    assert.equal(str(ftyp.payload.subarray(0, 4)), "iso5");
    const mvhd = findBox(init, ["moov", "mvhd"])!;
    assert.equal(view(mvhd).getUint32(96), 2); // next_track_ID
    const tkhd = view(findBox(init, ["moov", "trak", "tkhd"])!);
    assert.equal(tkhd.getUint32(0) & 0xffffff, 3);
    assert.equal(tkhd.getUint32(12), 1); // track_ID
    if (c.track.kind === "video") {
      assert.equal(tkhd.getUint32(76), c.track.width * 65536);
      assert.equal(tkhd.getUint32(80), c.track.height * 65536);
    }
    const mdhd = view(findBox(init, ["moov", "trak", "mdia", "mdhd"])!);
    assert.equal(mdhd.getUint32(12), c.track.clockRate);
    assert.equal(mdhd.getUint16(20), 0x55c4); // "und"
    const hdlr = findBox(init, ["moov", "trak", "mdia", "hdlr"])!;
    assert.equal(str(hdlr.payload.subarray(8, 12)), c.handler);
    const stbl = findBox(init, ["moov", "trak", "mdia", "minf", "stbl"])!;
    assert.deepEqual(children(stbl).map((b) => b.type), ["stsd", "stts", "stsc", "stsz", "stco"]);
    for (const empty of children(stbl).slice(1)) assert.ok(empty.payload.every((b) => b === 0));
    const stsd = children(stbl)[0];
    assert.equal(view(stsd).getUint32(4), 1);
    const [entry] = children(stsd);
    assert.equal(entry.type, c.entry);
    const ev = view(entry);
    if (c.track.kind === "video") {
      assert.equal(ev.getUint16(24), c.track.width);
      assert.equal(ev.getUint16(26), c.track.height);
    } else {
      assert.equal(ev.getUint16(16), c.track.channels);
      assert.equal(ev.getUint32(24), c.track.sampleRate * 65536);
    }
    c.check(entry, c.track);
    const trex = view(findBox(init, ["moov", "mvex", "trex"])!);
    assert.deepEqual([trex.getUint32(4), trex.getUint32(8)], [1, 1]);
  });
}

Deno.test("init segment with two tracks numbers them 1 and 2", () => {
  const init = initSegment([h264aac.video.track, h264aac.audio.track]);
  const moov = top(init, "moov");
  const ids = all(moov, "trak").map((t) => view(children(t)[0]).getUint32(12));
  assert.deepEqual(ids, [1, 2]);
  const mvex = children(moov).find((b) => b.type === "mvex")!;
  assert.deepEqual(all(mvex, "trex").map((t) => view(t).getUint32(4)), [1, 2]);
  assert.equal(view(children(moov)[0]).getUint32(96), 3);
  assert.ok(ascii("mp41").every((b, i) => top(init, "ftyp").payload[16 + i] === b));
});

Deno.test("init segment refuses tracks MP4 cannot describe", () => {
  assert.throws(() => initSegment([]), RangeError);
  assert.throws(
    () => initSegment([{ kind: "audio", codec: "pcmu", clockRate: 8000, sampleRate: 8000, channels: 1 }]),
    RangeError,
  );
});
