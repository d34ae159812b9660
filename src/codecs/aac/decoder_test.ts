import assert from "node:assert/strict";
import { buildAsc } from "../aac.ts";
import { splitAdts } from "../adts.ts";
import {
  decodeAdts,
  ffmpegDecodeAac,
  ffmpegEncodeAac,
  requireFfmpeg,
  signal,
  type SignalKind,
  snrDb,
} from "./_ffmpeg_test_util.ts";
import { AacDecoder, type AacDecoderStats } from "./decoder.ts";
import { AacError } from "./errors.ts";

/** The coding tool a case must exercise, checked on the decoder's stats. */
type Tool = "short" | "tns" | "ms" | "intensity" | "noise";

const used: Record<Tool, (s: AacDecoderStats) => number> = {
  short: (s) => s.windowSequences[2],
  tns: (s) => s.tnsFilters,
  ms: (s) => s.msBands,
  intensity: (s) => s.intensityBands,
  noise: (s) => s.noiseBands,
};

interface Case {
  kind: SignalKind;
  rate: number;
  channels: number;
  bitrate: string;
  options: string[];
  tools: Tool[];
}

// PNS is off where the SNR is compared: the standard leaves the noise generator open, so substituted
// bands can only match ffmpeg's in energy (the PNS cases below).
const noPns = ["-aac_pns", "0"];
const cases: Case[] = [
  { kind: "sweep", rate: 44100, channels: 1, bitrate: "64k", options: noPns, tools: [] },
  { kind: "sweep", rate: 48000, channels: 2, bitrate: "128k", options: noPns, tools: ["ms"] },
  { kind: "bursts", rate: 48000, channels: 2, bitrate: "128k", options: noPns, tools: ["short"] },
  {
    kind: "bursts",
    rate: 44100,
    channels: 1,
    bitrate: "64k",
    options: [...noPns, "-aac_tns", "1"],
    tools: ["short"],
  },
  { kind: "speech", rate: 16000, channels: 1, bitrate: "32k", options: noPns, tools: ["short"] },
  { kind: "speech", rate: 22050, channels: 2, bitrate: "64k", options: noPns, tools: [] },
  {
    kind: "speech",
    rate: 48000,
    channels: 2,
    bitrate: "128k",
    options: [...noPns, "-aac_tns", "1"],
    tools: ["tns"],
  },
  {
    kind: "music",
    rate: 44100,
    channels: 2,
    bitrate: "128k",
    options: [...noPns, "-aac_is", "1"],
    tools: ["intensity"],
  },
  {
    kind: "music",
    rate: 32000,
    channels: 2,
    bitrate: "96k",
    options: [...noPns, "-aac_ms", "1"],
    tools: ["ms"],
  },
  { kind: "music", rate: 8000, channels: 1, bitrate: "16k", options: noPns, tools: [] },
  { kind: "sweep", rate: 8000, channels: 2, bitrate: "24k", options: noPns, tools: [] },
  { kind: "noise", rate: 32000, channels: 2, bitrate: "128k", options: noPns, tools: [] },
  {
    kind: "bursts",
    rate: 22050,
    channels: 2,
    bitrate: "64k",
    options: [...noPns, "-aac_tns", "1"],
    tools: ["short"],
  },
];

const SNR_BAR_DB = 60;

for (const c of cases) {
  const name = `${c.kind} ${c.rate} Hz ${c.channels} ch ${c.bitrate} ${c.options.join(" ")}`;
  Deno.test(`AAC decoder matches ffmpeg's decoder (SNR ≥ ${SNR_BAR_DB} dB): ${name}`, async () => {
    requireFfmpeg();
    const adts = await ffmpegEncodeAac(signal(c.kind, c.rate, c.channels, 2), c);
    const ref = await ffmpegDecodeAac(adts);
    const ours = decodeAdts(adts);
    assert.equal(ours.channels, c.channels);
    // ffmpeg outputs every frame of an ADTS stream, priming included: the two align at sample 0.
    assert.equal(ours.pcm.length, ref.length, "same number of samples");
    const snr = snrDb(ref, ours.pcm);
    assert.ok(snr >= SNR_BAR_DB, `SNR ${snr.toFixed(1)} dB is below ${SNR_BAR_DB} dB`);
    for (const t of c.tools) assert.ok(used[t](ours.stats) > 0, `the stream exercised ${t}`);
  });
}

Deno.test("AAC decoder: 5.1 (SCE CPE CPE LFE) in element order C L R Ls Rs LFE matches ffmpeg", async () => {
  requireFfmpeg();
  const adts = await ffmpegEncodeAac(signal("music", 48000, 6, 1), {
    rate: 48000,
    channels: 6,
    bitrate: "256k",
    options: noPns,
  });
  const ref = await ffmpegDecodeAac(adts);
  const ours = decodeAdts(adts);
  assert.equal(ours.channels, 6);
  // ffmpeg's 5.1 order is L R C LFE Ls Rs.
  const map = [1, 2, 0, 5, 3, 4];
  const reordered = new Float32Array(ours.pcm.length);
  for (let i = 0; i < ours.pcm.length / 6; i++) {
    for (let ch = 0; ch < 6; ch++) reordered[i * 6 + ch] = ours.pcm[i * 6 + map[ch]];
  }
  const snr = snrDb(ref, reordered);
  assert.ok(snr >= SNR_BAR_DB, `SNR ${snr.toFixed(1)} dB`);
});

for (
  const c of [{ rate: 22050, channels: 1, bitrate: "24k" }, { rate: 44100, channels: 2, bitrate: "48k" }]
) {
  Deno.test(`AAC decoder: PNS bands match ffmpeg's in energy (${c.rate} Hz ${c.channels} ch ${c.bitrate})`, async () => {
    requireFfmpeg();
    const adts = await ffmpegEncodeAac(signal("noise", c.rate, c.channels, 2), {
      ...c,
      options: ["-aac_pns", "1"],
    });
    const ref = await ffmpegDecodeAac(adts);
    const ours = decodeAdts(adts);
    assert.ok(ours.stats.noiseBands > 0, "the stream has noise bands");
    assert.equal(ours.pcm.length, ref.length);
    // Per frame and channel, the energies agree within 1 dB (the noise itself differs).
    let worst = 0;
    const block = 1024 * c.channels;
    for (let o = 0; o + block <= ref.length; o += block) {
      for (let ch = 0; ch < c.channels; ch++) {
        let er = 0;
        let eo = 0;
        for (let i = o + ch; i < o + block; i += c.channels) {
          er += ref[i] * ref[i];
          eo += ours.pcm[i] * ours.pcm[i];
        }
        if (er < 1e-6) continue;
        worst = Math.max(worst, Math.abs(10 * Math.log10(eo / er)));
      }
    }
    assert.ok(worst < 1, `worst frame energy difference ${worst.toFixed(2)} dB`);
  });
}

Deno.test("AAC decoder: an HE-AAC config decodes the AAC-LC core at the core rate and says so", async () => {
  requireFfmpeg();
  const adts = await ffmpegEncodeAac(signal("music", 22050, 2, 0.5), {
    rate: 22050,
    channels: 2,
    bitrate: "64k",
    options: noPns,
  });
  const { frames } = splitAdts(adts);
  const lc = decodeAdts(adts);
  // Explicit HE-AAC signalling: objectType 5, core 22050 Hz (index 7), stereo, extension 44100 Hz
  // (index 4), core objectType 2.
  const heAsc = new Uint8Array([0x2b, 0x92, 0x08, 0x00]);
  const dec = new AacDecoder(heAsc);
  assert.deepEqual(dec.info, { sampleRate: 22050, channels: 2, sbr: true });
  const first = dec.decode(frames[0]);
  assert.equal(first.length, 2);
  assert.equal(first[0].length, 1024);
  for (let i = 0; i < 1024; i++) assert.equal(first[1][i], lc.pcm[i * 2 + 1]);
});

const stereo44 = buildAsc({ objectType: 2, sampleRate: 44100, channels: 2 });

const malformed: { name: string; asc?: Uint8Array; au: Uint8Array; message: RegExp }[] = [
  { name: "empty access unit", au: new Uint8Array(0), message: /id_syn_ele: reading 3 bits/ },
  { name: "only END", au: new Uint8Array([0xe0]), message: /without audio elements/ },
  { name: "truncated CPE", au: new Uint8Array([0x21, 0x10]), message: /AAC .*reading \d+ bits at bit/ },
  { name: "coupling channel element", au: new Uint8Array([0x40, 0x00]), message: /coupling_channel_element/ },
  // id SCE, tag 0, global_gain 0, ics_info with max_sfb 0, no pulse/TNS/gain control, then END.
  {
    name: "SCE in a stereo configuration",
    au: new Uint8Array([0x00, 0x00, 0x00, 0x07]),
    message: /raw_data_block with 1 channels is invalid: the channel configuration has 2/,
  },
  { name: "reserved ics bit", au: new Uint8Array([0x00, 0x01, 0x00, 0x00]), message: /ics_reserved_bit 1/ },
  {
    name: "max_sfb beyond the band table",
    // ... ics_info: reserved 0, ONLY_LONG, shape 0, max_sfb 63 (44.1 kHz has 49 bands).
    au: new Uint8Array([0x00, 0x00, 0x1f, 0x80, 0x00, 0x00]),
    message: /max_sfb 63 is invalid: this sampling rate has 49 bands/,
  },
];

for (const m of malformed) {
  Deno.test(`AAC decoder refuses a malformed access unit with an AacError: ${m.name}`, () => {
    const dec = new AacDecoder(m.asc ?? stereo44);
    assert.throws(() => dec.decode(m.au), (e) => e instanceof AacError && m.message.test(e.message));
  });
}

Deno.test("AAC decoder refuses 960-sample frames", () => {
  // AAC-LC 48000 Hz stereo with frameLengthFlag 1: 00010 0011 0010 1 00 → 0x11 0x94.
  assert.throws(
    () => new AacDecoder(new Uint8Array([0x11, 0x94])),
    (e) => e instanceof AacError && /frameLengthFlag 1/.test(e.message),
  );
  assert.equal(new AacDecoder(new Uint8Array([0x11, 0x90])).info.channels, 2);
});

Deno.test("AAC decoder refuses object types other than AAC-LC", () => {
  assert.throws(
    () => new AacDecoder(buildAsc({ objectType: 1, sampleRate: 48000, channels: 2 })),
    (e) => e instanceof AacError && /audio object type 1 is not supported/.test(e.message),
  );
});

Deno.test("AAC decoder: random bytes never escape as anything but AacError, and decoding goes on", async () => {
  requireFfmpeg();
  const adts = await ffmpegEncodeAac(signal("music", 44100, 2, 0.5), {
    rate: 44100,
    channels: 2,
    bitrate: "128k",
    options: [],
  });
  const { config, frames } = splitAdts(adts);
  const dec = new AacDecoder(config);
  let seed = 99;
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const f = frames[i % frames.length].slice();
    for (let k = 0; k < 4; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      f[(seed >>> 8) % f.length] ^= 1 << (seed & 7);
    }
    try {
      dec.decode(f);
    } catch (e) {
      if (!(e instanceof AacError)) throw e;
      refused++;
    }
  }
  assert.ok(refused > 0, "some corrupt frames were refused");
  assert.equal(dec.decode(frames[3]).length, 2, "a good frame still decodes");
});
