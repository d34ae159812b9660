// Test helpers for this folder (not part of the public API): tracks from the codec fixtures.
import { h264Track, H265Nal, h265NalType, h265Track, splitAnnexB } from "../../codecs/mod.ts";
import type { H264Track, H265Track } from "../../core/track.ts";

export const codecData = (name: string): Uint8Array =>
  Deno.readFileSync(new URL(`../../codecs/testdata/${name}`, import.meta.url));

const h264Nals = splitAnnexB(codecData("h264_640x360_high_30.h264"));
/** 640×360 at 30 fps, High profile. */
export const h264: H264Track = h264Track(h264Nals[0], [h264Nals[1]]);

const h265Nals = splitAnnexB(codecData("h265_320x240_main_30.h265"));
const of265 = (t: number) => h265Nals.filter((n) => h265NalType(n) === t);
/** 320×240 at 30 fps, Main profile. */
export const h265: H265Track = h265Track(of265(H265Nal.vps)[0], of265(H265Nal.sps)[0], of265(H265Nal.pps));
