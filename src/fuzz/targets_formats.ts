/** Fuzz targets of src/formats: AMF, FLV, SDP, RTP and RTCP, MPEG-TS, HLS playlists. */
import { ProtocolError } from "../core/errors.ts";
import {
  decodeAmf0All,
  decodeAmf3,
  ecmaArray,
  encodeAmf0,
  encodeAmf3,
  onMetaDataBody,
} from "../formats/amf/mod.ts";
import {
  audioFrameBody,
  audioSequenceBody,
  FlvDemuxer,
  FlvTagReader,
  videoFrameBody,
  videoSequenceBody,
} from "../formats/flv/mod.ts";
import type { AudioTrack, VideoTrack } from "../core/mod.ts";
import { buildSdp, describeTrack, mediaInfo, parseSdp } from "../formats/sdp/mod.ts";
import {
  aacPayload,
  buildBye,
  buildReceiverReport,
  buildSenderReport,
  createDepacketizer,
  parseRtcp,
  parseRtp,
  RtpPacketizer,
  type RtpUnit,
} from "../formats/rtp/mod.ts";
import {
  encodePat,
  encodePmt,
  parsePacket,
  parsePat,
  parsePesHeader,
  parsePmt,
  TS_PACKET_SIZE,
  TsDemuxer,
  writePesHeader,
} from "../formats/mpegts/mod.ts";
import { parseMediaPlaylist } from "../formats/hls/mod.ts";
import { framed, type FuzzTarget, text, unframe, utf8 } from "./target.ts";
import { mediaSeeds, testdata } from "./seeds.ts";
import { FFMPEG_ANNOUNCE } from "../formats/sdp/sdp_cases.ts";

const PROTOCOL = [ProtocolError] as const;
/** Enough of a file for its headers and a few frames; mutations need no more. */
const FILE_HEAD = 8 * 1024;

const amf0: FuzzTarget = {
  name: "amf0",
  accepted: PROTOCOL,
  seeds: () => [
    testdata("formats/amf/testdata/ffmpeg_onmetadata.bin"),
    encodeAmf0("connect", 1, { app: "live", tcUrl: "rtmp://h/live", flashVer: "FMLE/3.0", fpad: false }),
    encodeAmf0(null, undefined, [1, "two", { three: [3] }], ecmaArray({ width: 640, height: 360 })),
    onMetaDataBody({ duration: 0, videocodecid: 7, audiocodecid: 10, encoder: "Lavf" }),
  ],
  run: (b) => void decodeAmf0All(b),
};

const amf3: FuzzTarget = {
  name: "amf3",
  accepted: PROTOCOL,
  seeds: () =>
    [
      "connect",
      1.5,
      -1,
      268435455,
      true,
      null,
      [1, "a", [2, "b"]],
      { app: "live", nested: { list: [1, 2, 3], s: "x".repeat(40) } },
    ].map((v) => encodeAmf3(v)),
  run: (b) => {
    for (let o = 0; o < b.length;) o = decodeAmf3(b, o).end;
  },
};

const flvTags: FuzzTarget = {
  name: "flv-tags",
  accepted: PROTOCOL,
  seeds: () =>
    ["h264_aac", "h264_pcma", "mp3", "pcmu"].map((n) => testdata(`formats/flv/testdata/${n}.flv`, FILE_HEAD)),
  run: (b) => {
    // In two pieces: the split point exercises the reader's carry-over of partial tags.
    const r = new FlvTagReader();
    const cut = b.length >> 1;
    r.push(b.subarray(0, cut));
    r.push(b.subarray(cut));
  },
};

/** Tag bodies, each framed with its tag type first, through one demuxer (legacy and Enhanced RTMP). */
const flvDemux: FuzzTarget = {
  name: "flv-demux",
  accepted: PROTOCOL,
  seeds: () => {
    const out: Uint8Array[] = [];
    for (const n of ["h264_aac", "h264_pcma", "mp3", "pcmu"]) {
      const tags = new FlvTagReader().push(testdata(`formats/flv/testdata/${n}.flv`, FILE_HEAD));
      out.push(framed(tags.slice(0, 6).map((t) => withType(t.type, t.body))));
    }
    const m = mediaSeeds();
    for (const codec of ["h264", "h265"] as const) {
      const track = m[codec] as VideoTrack;
      const frames = m.frames.get(codec)!;
      for (const form of ["legacy", "enhanced"] as const) {
        out.push(framed([
          withType(9, videoSequenceBody(track, form)),
          ...frames.slice(0, 2).map((f) => withType(9, videoFrameBody(f, form))),
        ]));
      }
    }
    for (const codec of ["aac", "opus", "pcma"] as const) {
      const seq = audioSequenceBody(m[codec] as AudioTrack);
      const frames = m.frames.get(codec)!.slice(0, 2).map((f) => withType(8, audioFrameBody(f)));
      out.push(framed(seq ? [withType(8, seq), ...frames] : frames));
    }
    return out;
  },
  run: (b) => {
    const d = new FlvDemuxer();
    for (const p of unframe(b)) {
      if (p.length === 0) continue;
      if (p[0] === 9) d.video(p.subarray(1), 0);
      else if (p[0] === 8) d.audio(p.subarray(1), 0);
      else decodeAmf0All(p.subarray(1)); // a script tag: onMetaData
    }
  },
};

function withType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

/** A first RTP packet per codec: an IDR slice, one 1-byte AU behind its AU header, or audio bytes. */
const RTP_HEADER = [0x80, 0xe0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
const FIRST_PAYLOAD: Record<string, number[]> = {
  h264: [0x65, 0x88, 0x84],
  h265: [0x26, 0x01, 0xaf],
  aac: [0, 0x10, 0, 0x08, 0x21],
};
const firstPacket = (codec: string) =>
  parseRtp(new Uint8Array([...RTP_HEADER, ...(FIRST_PAYLOAD[codec] ?? [1, 2, 3])]));

const sdp: FuzzTarget = {
  name: "sdp",
  accepted: PROTOCOL,
  // ffmpeg's ANNOUNCE (the SDP table test's case) and our own DESCRIBE of every codec.
  seeds: () => {
    const m = mediaSeeds();
    const media = (["h264", "h265", "aac", "opus", "pcma", "pcmu"] as const).map((c, i) =>
      describeTrack(m[c], { payloadType: 96 + i, control: `trackID=${i}`, direction: "sendonly" })!
    );
    const ours = buildSdp({
      version: 0,
      origin: "- 1 1 IN IP4 0.0.0.0",
      sessionName: "s",
      timing: "0 0",
      attributes: [],
      media,
    });
    return [utf8(FFMPEG_ANNOUNCE), utf8(ours)];
  },
  run: (b) => {
    for (const m of parseSdp(text(b)).media) {
      const info = mediaInfo(m);
      if ("unsupported" in info || !info.track) continue;
      // What an ANNOUNCE sets up meets its first packet: the path of issue 10's freeze.
      const d = createDepacketizer(info);
      d.push(firstPacket(info.codec), 0, 0, []);
    }
  },
};

/** One RTP depacketizer per codec: the input is a run of framed RTP packets of that codec. */
function rtpTarget(codec: "h264" | "h265" | "aac" | "opus" | "pcma" | "pcmu"): FuzzTarget {
  return {
    name: `rtp-${codec}`,
    accepted: PROTOCOL,
    seeds: () => {
      const m = mediaSeeds();
      const track = m[codec];
      const frames = m.frames.get(codec)!;
      const out: Uint8Array[] = [];
      for (const mtu of [1400, 200]) {
        const pk = new RtpPacketizer(track, { payloadType: 96, ssrc: 7, mtu });
        out.push(framed(frames.flatMap((f) => pk.packets(f))));
      }
      if (codec === "aac") {
        const aus = frames.map((f) => f.data.subarray(0, 200));
        const pk = new RtpPacketizer(track, { payloadType: 96, ssrc: 7, mtu: 1400 });
        const rtp = pk.packets(frames[0])[0].slice(0, 12);
        out.push(framed([concat2(rtp, aacPayload(aus))]));
      }
      return out;
    },
    run: (b) => {
      const m = mediaSeeds();
      // Video learns its track in-band too, so half the inputs start without one.
      const known = codec.startsWith("h26") ? (b.length & 1) === 0 : true;
      const d = createDepacketizer({
        codec,
        rtpClock: m[codec].clockRate,
        track: known ? m[codec] : undefined,
      });
      const out: RtpUnit[] = [];
      let ts = 0;
      for (const p of unframe(b)) {
        const pkt = parseRtp(p);
        out.length = 0;
        d.push(pkt, ts, pkt.sequence & 1, out);
        ts += 3000;
      }
    },
  };
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const rtcp: FuzzTarget = {
  name: "rtcp",
  accepted: PROTOCOL,
  seeds: () => {
    const block = {
      ssrc: 9,
      fractionLost: 3,
      cumulativeLost: 70000,
      highestSeq: 123456,
      jitter: 12,
      lastSr: 5,
      delaySinceLastSr: 6,
    };
    const sr = buildSenderReport({
      ssrc: 1,
      wallMs: 1.7e12,
      rtpTimestamp: 90000,
      packetCount: 5,
      octetCount: 999,
    });
    const rr = buildReceiverReport(2, [block, block]);
    return [sr, rr, buildBye(3), concat2(concat2(sr, rr), buildBye(4))];
  },
  run: (b) => void parseRtcp(b),
};

const TS_FILES = ["h264_aac", "h264_opus", "h265_aac"].map((n) => `formats/mpegts/testdata/${n}.mpegts`);

const tsDemux: FuzzTarget = {
  name: "mpegts-demux",
  accepted: PROTOCOL,
  seeds: () => TS_FILES.map((f) => testdata(f, 40 * TS_PACKET_SIZE)),
  run: (b) => {
    const d = new TsDemuxer({ onTrack() {}, onFrame() {} });
    const cut = (b.length * 2) / 3 | 0;
    d.push(b.subarray(0, cut));
    d.push(b.subarray(cut));
    d.flush();
  },
};

/** Packet headers, PSI sections and PES headers, each parsed on its own. */
const tsParts: FuzzTarget = {
  name: "mpegts-psi-pes",
  accepted: PROTOCOL,
  seeds: () => {
    const pes = new Uint8Array(64);
    const n = writePesHeader(pes, 0, { streamId: 0xe0, pts: 123456, dts: 120000, payloadLength: 20 });
    return [
      testdata(TS_FILES[0], TS_PACKET_SIZE),
      withType(1, encodePat({ transportStreamId: 1, version: 0, programs: [{ number: 1, pid: 0x1000 }] })),
      withType(
        2,
        encodePmt({
          programNumber: 1,
          version: 0,
          pcrPid: 0x100,
          streams: [{ type: 0x1b, pid: 0x100, descriptors: new Uint8Array([5, 4, 72, 69, 86, 67]) }],
        }),
      ),
      withType(3, pes.subarray(0, n + 20)),
    ];
  },
  run: (b) => {
    const kind = b[0];
    const rest = b.subarray(1);
    if (kind === 1) parsePat(rest);
    else if (kind === 2) parsePmt(rest);
    else if (kind === 3) parsePesHeader(rest);
    else if (b.length >= TS_PACKET_SIZE) parsePacket(b);
  },
};

const hls: FuzzTarget = {
  name: "hls-playlist",
  accepted: PROTOCOL,
  seeds: () => [
    utf8(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:5",
        "#EXT-X-MEDIA-SEQUENCE:7",
        "#EXTINF:5.005,",
        "cam/7.ts",
        "#EXT-X-DISCONTINUITY",
        "#EXTINF:4.96,",
        "cam/8.ts",
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    ),
    utf8([
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5",
      "#EXT-X-PART-INF:PART-TARGET=0.5",
      "#EXT-X-MEDIA-SEQUENCE:3",
      "#EXT-X-DISCONTINUITY-SEQUENCE:1",
      "#EXT-X-PLAYLIST-TYPE:EVENT",
      '#EXT-X-MAP:URI="init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00.000Z",
      '#EXT-X-PART:DURATION=0.5,URI="3.0.m4s",INDEPENDENT=YES',
      "#EXTINF:2.0,",
      "3.m4s",
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="4.0.m4s"',
      "",
    ].join("\r\n")),
  ],
  run: (b) => void parseMediaPlaylist(text(b)),
};

export const FORMAT_TARGETS: readonly FuzzTarget[] = [
  amf0,
  amf3,
  flvTags,
  flvDemux,
  sdp,
  ...(["h264", "h265", "aac", "opus", "pcma", "pcmu"] as const).map(rtpTarget),
  rtcp,
  tsDemux,
  tsParts,
  hls,
];
