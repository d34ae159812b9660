/** Fuzz targets of the wire protocols (RTMP chunks, RTSP messages, SRT) and of config and policy XML. */
import { ConfigError, ProtocolError } from "../core/errors.ts";
import { encodeAmf0 } from "../formats/amf/mod.ts";
import { chunkMessage, ChunkReader } from "../protocols/rtmp/chunk_stream.ts";
import { RtspParser, serializeRequest, serializeResponse } from "../protocols/rtsp/message.ts";
import { ControlType, decodePacket, encodeControlPacket, encodeDataPacket } from "../protocols/srt/packet.ts";
import {
  decodeHandshake,
  encodeHandshake,
  ExtFlag,
  HandshakeType,
  SRT_MAGIC,
} from "../protocols/srt/handshake.ts";
import {
  encodeHsReq,
  encodeKmState,
  encodeStringExt,
  ExtType,
  LIVE_FLAGS,
  SRT_VERSION,
} from "../protocols/srt/extensions.ts";
import { decodeKeyMaterial, encodeKeyMaterial } from "../protocols/srt/key_material.ts";
import {
  decodeAck,
  decodeDropRequest,
  decodeLossList,
  encodeAck,
  encodeDropRequest,
  encodeLossList,
} from "../protocols/srt/control.ts";
import { readConclusion } from "../protocols/srt/negotiation.ts";
import { parseStreamId } from "../protocols/srt/streamid.ts";
import { loadConfig } from "../config/load.ts";
import { parsePolicy } from "../config/policy.ts";
import { forwardTargets, sourceOf } from "../cluster/targets.ts";
import { viaOf } from "../protocols/rtmp/via.ts";
import { type FuzzTarget, text, utf8 } from "./target.ts";
import { testdata } from "./seeds.ts";

const PROTOCOL = [ProtocolError] as const;

const CHUNK_SIZES = [128, 4096, 1, 65536];

const rtmpChunks: FuzzTarget = {
  name: "rtmp-chunks",
  accepted: PROTOCOL,
  seeds: () => {
    const connect = encodeAmf0("connect", 1, { app: "live", tcUrl: "rtmp://127.0.0.1/live" });
    const video = new Uint8Array(700).map((_, i) => i & 0xff);
    const msgs = (size: number, ts: number) => [
      chunkMessage({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: connect }, { chunkSize: size }),
      chunkMessage({ csid: 6, type: 9, streamId: 1, timestamp: ts, payload: video }, { chunkSize: size }),
      chunkMessage(
        { csid: 65000, type: 8, streamId: 1, timestamp: ts, payload: video.subarray(0, 40) },
        {
          chunkSize: size,
        },
      ),
    ];
    const joined = (parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
      return out;
    };
    // 0x1000000 needs the extended timestamp in every chunk.
    return [
      joined([new Uint8Array([0]), ...msgs(128, 40)]),
      joined([new Uint8Array([0]), ...msgs(128, 0x1000000)]),
      joined([new Uint8Array([1]), ...msgs(4096, 7)]),
    ];
  },
  run: (b) => {
    // The first byte picks the Set Chunk Size the session would have seen.
    const r = new ChunkReader(() => {}, { maxMessageLength: 1 << 20 });
    if (b.length > 0) r.setChunkSize(CHUNK_SIZES[b[0] % CHUNK_SIZES.length]);
    b = b.subarray(1);
    const cut = b.length >> 1;
    r.push(b.subarray(0, cut));
    r.push(b.subarray(cut));
  },
};

const rtspMessages: FuzzTarget = {
  name: "rtsp-messages",
  accepted: PROTOCOL,
  seeds: () => [
    serializeRequest("OPTIONS", "rtsp://127.0.0.1/live/a", [["CSeq", "1"], ["User-Agent", "Lavf59"]]),
    serializeRequest(
      "ANNOUNCE",
      "rtsp://127.0.0.1/live/a",
      [["CSeq", "2"], ["Content-Type", "application/sdp"]],
      "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\r\n",
    ),
    serializeRequest("SETUP", "rtsp://127.0.0.1/live/a/streamid=0", [
      ["CSeq", "3"],
      ["Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"],
    ]),
    serializeResponse(200, [["CSeq", "4"], ["Session", "DEADBEEF;timeout=60"]], "v=0\r\n"),
    new Uint8Array([0x24, 0, 0, 4, 0x80, 96, 0, 1, 0x24, 1, 0, 0]),
  ],
  run: (b) => {
    const p = new RtspParser();
    const cut = b.length >> 1;
    p.push(b.subarray(0, cut));
    while (p.next());
    p.push(b.subarray(cut));
    while (p.next());
  },
};

function handshake(ext: { type: number; data: Uint8Array }[]): Uint8Array {
  return encodeHandshake({
    version: 5,
    encryption: 2,
    extensionField: ExtFlag.HsReq | ExtFlag.KmReq | ExtFlag.Config,
    isn: 12345,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.Conclusion,
    socketId: 77,
    cookie: 0x1234,
    peerIp: new Uint8Array(16).fill(1, 0, 4),
    extensions: ext,
  });
}

function srtSeeds(): Uint8Array[] {
  const km = encodeKeyMaterial({
    keys: 1,
    cipher: 2,
    auth: 0,
    se: 2,
    salt: new Uint8Array(16).fill(9),
    keyLength: 16,
    wrapped: new Uint8Array(24).fill(3),
  });
  const conclusion = handshake([
    {
      type: ExtType.HsReq,
      data: encodeHsReq({ version: SRT_VERSION, flags: LIVE_FLAGS, recvDelayMs: 120, sendDelayMs: 120 }),
    },
    { type: ExtType.KmReq, data: km },
    { type: ExtType.Sid, data: encodeStringExt("#!::r=live/test,m=publish") },
    { type: ExtType.Congestion, data: encodeStringExt("live") },
  ]);
  const induction = encodeHandshake({
    ...decodeHandshake(handshake([])),
    version: 4,
    extensionField: SRT_MAGIC,
    type: HandshakeType.Induction,
  });
  const control = (type: number, cif: Uint8Array) =>
    encodeControlPacket({ type, subtype: 0, info: 1, timestamp: 2, destId: 3, cif });
  return [
    encodeDataPacket({
      seq: 5,
      position: 3,
      inOrder: false,
      key: 0,
      retransmitted: false,
      msgNo: 1,
      timestamp: 9,
      destId: 3,
      payload: new Uint8Array(188).fill(0x47, 0, 1),
    }),
    control(ControlType.Handshake, conclusion),
    control(ControlType.Handshake, induction),
    control(
      ControlType.Ack,
      encodeAck({
        lastAckSeq: 10,
        rttUs: 100000,
        rttVarUs: 50000,
        availableBuffer: 8192,
        packetsPerSecond: 100,
        linkCapacity: 1000,
        bytesPerSecond: 1e6,
      }),
    ),
    control(ControlType.Nak, encodeLossList([[5, 5], [7, 20]])),
    control(ControlType.DropReq, encodeDropRequest(3, 9)),
    control(ControlType.UserDefined, km),
    control(ControlType.Handshake, handshake([{ type: ExtType.KmRsp, data: encodeKmState(4) }])),
  ];
}

/** A whole SRT datagram, then the control information field parsed as the receiver would. */
const srtPackets: FuzzTarget = {
  name: "srt-packets",
  accepted: PROTOCOL,
  seeds: srtSeeds,
  run: (b) => {
    const p = decodePacket(b);
    if (!p.control) return;
    switch (p.type) {
      case ControlType.Handshake: {
        const hs = decodeHandshake(p.cif);
        if (hs.type === HandshakeType.Conclusion) readConclusion(hs);
        break;
      }
      case ControlType.Ack:
        decodeAck(p.cif);
        break;
      case ControlType.Nak:
        decodeLossList(p.cif);
        break;
      case ControlType.DropReq:
        decodeDropRequest(p.cif);
        break;
      case ControlType.UserDefined:
        decodeKeyMaterial(p.cif);
        break;
    }
  },
};

/** Key material alone: it also arrives in KM refresh packets, outside any handshake. */
const srtKeyMaterial: FuzzTarget = {
  name: "srt-key-material",
  accepted: PROTOCOL,
  seeds: () => srtSeeds().filter((_, i) => i === 6).map((p) => p.subarray(16)),
  run: (b) => void decodeKeyMaterial(b),
};

const srtStreamId: FuzzTarget = {
  name: "srt-streamid",
  accepted: PROTOCOL,
  seeds: () =>
    [
      "#!::r=live/test,m=publish",
      "#!::u=admin,r=live/cam,m=request,t=stream",
      "127.0.0.1:9000/live/x,role=player",
      "live/x",
    ]
      .map(utf8),
  run: (b) => void parseStreamId(text(b)),
};

/** config.xml → zod: the XML a user writes, or posts to /api/config. */
const configXml: FuzzTarget = {
  name: "config-xml",
  accepted: [ConfigError],
  seeds: () => [
    testdata("../conf/config.xml"),
    utf8(
      "<config><rtmp><port>1935</port><chunk_size>4096</chunk_size></rtmp><http><enable>true</enable></http></config>",
    ),
  ],
  run: (b) => void loadConfig({ text: text(b) }),
};

/**
 * policy.xml → zod, then the forward targets of a few streams (rewrite and name comparison), and the
 * forward chain a peer's connect command carries.
 */
const policyXml: FuzzTarget = {
  name: "policy-xml",
  accepted: [ConfigError],
  seeds: () => [
    testdata("../conf/policy.xml"),
    utf8(
      `<policy><vhosts><vhost name="rtmp://a.com:1935/live/"><forward rewrite="rtmps://b.net:1936/x">[::1]:19350</forward>` +
        `</vhost></vhosts><urls><url name="RTMP://A.COM/live/s?q=1"><forward rewrite="">c.org</forward></url></urls></policy>`,
    ),
  ],
  run: (b) => {
    const { policy } = parsePolicy(text(b), "fuzz policy");
    for (const vhost of ["a.com", "", "::1"]) {
      forwardTargets(policy, sourceOf({ vhost, app: "live", name: "s" }, "me"));
    }
  },
};

const rtmpVia: FuzzTarget = {
  name: "rtmp-via",
  accepted: PROTOCOL,
  seeds: () => ["a1b2c3d4-e5f6,0f0e0d0c-0b0a", "", "x,,y, z"].map(utf8),
  run: (b) => void viaOf({ estuaryVia: text(b) }),
};

export const WIRE_TARGETS: readonly FuzzTarget[] = [
  rtmpChunks,
  rtspMessages,
  srtPackets,
  srtKeyMaterial,
  srtStreamId,
  configXml,
  policyXml,
  rtmpVia,
];
