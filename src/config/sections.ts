/**
 * The sections of the configuration, their defaults and value rules. Field names are
 * smart_rtmpd's element names (lower case), so `config.http.hlsduration` is `<http><hlsduration>`.
 * Attributes become fields of their element (`<rtp min="30000">` → `config.rtp.min`); the text of
 * `<authurl>` becomes `config.authurl.host`. camelCase fields (`liveApps`, `denyFiles`, `url`) are
 * derived from the raw ones and never read from XML. docs/config.md describes every element.
 */
import * as z from "./_validate.ts";
import { bool, int, intOf, list, oneOf, port, section, splitList, text } from "./_fields.ts";
import { authBaseUrl } from "./auth_url.ts";

const HOST = {
  re: /^[A-Za-z0-9.:_%\-\[\]]+$/,
  rule: "must be an IP address or host name (empty = all interfaces)",
};
const ADDR = { re: /^[A-Za-z0-9.:_\-\[\]]+$/, rule: "must be host or host:port (empty = unset)" };
const AUTH_HOST = {
  re: /^(https?:\/\/)?[A-Za-z0-9.:_\-\[\]]+\/?$/,
  rule: "must be host:port of the auth server, optionally with http:// or https:// (empty = no auth)",
};
const APP = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.\-~@]*$/;
const APP_RULE = "must be a comma list of app names, each matching [A-Za-z0-9_][A-Za-z0-9_.-~@]*";

const KB = 1024 * 1024; // upper bound for sizes given in KB (1 GB)
const DAY = 86400;

/** The element whose text (not a child element) carries a value, and the field it maps to. */
export const XML_TEXT_FIELDS: Readonly<Record<string, string>> = { authurl: "host" };

const authurl = section({
  host: text("", AUTH_HOST),
  timeout: int(3000, 1, 600_000),
  cache: int(10, 0, 3600),
  router: text("", { re: /^[^\s?#]*$/, rule: "must be a URL path such as /api/auth" }),
}).transform((a) => {
  const router = a.router === "" || a.router.startsWith("/") ? a.router : `/${a.router}`;
  /** Derived: the callback's base URL, "" when auth is off. Every authorizer is built from it. */
  return { ...a, router, url: authBaseUrl(a.host, a.router) };
});

const rtp = section({
  min: port(30000),
  max: port(60000),
  que: int(20000, 1, 1_000_000),
});

const nat = section({
  rtmp: text("", ADDR),
  rtsp: text("", ADDR),
  http: text("", ADDR),
  https: text("", ADDR),
  srt: text("", ADDR),
  rtp: text("", ADDR),
});

const sock = section({
  recvbuffer: int(8192, 0, KB),
  sendbuffer: int(8192, 0, KB),
  // Descriptors kept free under the process's soft limit: listeners refuse connections past it.
  fdreserve: int(64, 0, 65_536),
});

/** Connection limits of a TCP listener (plain and TLS together); 0 = no limit. */
const CONN_LIMITS = {
  maxconns: int(10_000, 0, 1_000_000),
  maxconnsperip: int(4096, 0, 1_000_000),
};

const ssl = section({
  serverca: text(""),
  serverkey: text(""),
  servercert: text(""),
  clientca: text(""),
  clientkey: text(""),
  clientcert: text(""),
});

const rtmpRtp = section({
  h265: int(98, 0, 127),
  h264: int(96, 0, 127),
  aac: int(97, 0, 127),
  // smart_rtmpd allows 0..1460; 0 means "the default", so consumers always see a usable size.
  size: int(1460, 0, 1460),
}).transform((r) => ({ ...r, size: r.size === 0 ? 1460 : r.size }));

const rtmp = section({
  ip: text("", HOST),
  port: port(1935),
  sport: port(1936),
  ssl: bool(false),
  enable: bool(true),
  live: list("live", APP, APP_RULE),
  rec: list("rec", APP, APP_RULE),
  codech265: int(12, 1, 15),
  gopquesize: int(512, 1, 100_000),
  gopenable: bool(true),
  maxidle: int(12, 0, DAY),
  fwdtimeout: int(5000, 1, 600_000),
  avtime_delta: int(1000, 0, 600_000),
  chunksize: int(8192, 1, 16_777_215),
  hdr3exttime: bool(true),
  shrinksize: int(64, 0, 1_000_000),
  shrinktime: int(300, 0, 600_000),
  waitcount: int(3, 0, 10_000),
  waitsleep: int(20, 0, 10_000),
  waitchunk: int(8192, 0, 16_777_215),
  blockcount: int(1024, 0, 1_000_000),
  hasflv: bool(true),
  hashls: bool(true),
  hasdash: bool(true),
  hasrtsp: bool(true),
  hassrt: bool(true),
  // [Estuary] WebRTC playback (WHEP) and ingest (WHIP) on the HTTP ports; smart_rtmpd's has_webrtc.
  haswebrtc: bool(true),
  rtp: rtmpRtp,
  notfound: oneOf("wait", ["wait", "reject"]),
  playwait: int(10, 0, 3600),
  batchms: int(20, 0, 1000),
  maxbatchms: int(150, 0, 1000),
  // Deadlines in seconds, 0 = none: handshake → connect, then connect → publish or play.
  connecttimeout: int(10, 0, 3600),
  starttimeout: int(10, 0, 3600),
  ...CONN_LIMITS,
}).transform((r) => ({ ...r, liveApps: splitList(r.live), recApps: splitList(r.rec) }));

// The admin portal and API (Estuary's; smart_rtmpd's admin was a separate program).
const admin = section({
  user: text("admin", { re: /^[A-Za-z0-9_.@-]{1,64}$/, rule: "must be 1..64 of A-Z a-z 0-9 _ . @ -" }),
  password: text("", { re: /^(|.{8,256})$/s, rule: "must be empty (one is generated) or 8..256 characters" }),
  sessionttl: int(480, 1, 7 * 24 * 60),
  // smart_rtmpd's admin listened on 5000: its clients find the admin API at /api/* there. 0 = off.
  port: port(0),
});

/** A STUN or TURN server handed to WebRTC clients (`<server url="turn:…" username="" credential=""/>`). */
const iceServer = section({
  url: text("", { re: /^(stuns?|turns?):[^\s<>"]+$/, rule: "must be a stun:, stuns:, turn: or turns: URL" }),
  username: text(""),
  credential: text(""),
});

const OPUS_KBPS_RULE = "must be 0 (automatic: 96 stereo, 48 mono) or an integer 6..510 (kbit/s)";

const rtc = section({
  codec: section({
    audio: oneOf("opus", ["opus", "pcma", "pcmu"]),
    video: oneOf("h264", ["h264", "h265", "vp8", "vp9", "av1"]),
  }),
  // [Estuary] How long (ms) a stream's RTP packets are kept to answer WebRTC viewers' NACKs.
  nackms: int(1500, 100, 30_000),
  // [Estuary] H.264 B pictures for WebRTC viewers: left out (browsers decode few frames of a stream with
  // B-frames) or sent as they are.
  bframes: oneOf("drop", ["drop", "pass"]),
  // [Estuary] Audio transcoding for WebRTC (AAC → Opus; Opus → AAC for the other outputs). Off: an AAC
  // source plays over WebRTC without audio.
  transcode: bool(true),
  // [Estuary] Opus bitrate (kbit/s) of AAC → Opus; 0 = automatic: 96 stereo, 48 mono.
  opusbitrate: int(0, 0, 510, OPUS_KBPS_RULE).refine((n) => n === 0 || n >= 6, { error: OPUS_KBPS_RULE }),
  // [Estuary] AAC bitrate (kbit/s) of Opus → AAC.
  aacbitrate: int(128, 16, 512),
  // [Estuary] ICE over TCP (passive host candidates beside the UDP ones): the fallback where UDP is blocked.
  icetcp: bool(true),
  // [Estuary] ICE servers for WebRTC clients, sent in WHIP/WHEP `Link` headers (never used by the server).
  iceservers: section({
    server: z.array(iceServer, { error: "must be a list of <server> elements" }).default([]),
  }).transform((s) => ({ server: s.server.filter((e) => e.url !== "") })),
});

const webrtcHost = section({ rtmp: text("", ADDR), http: text("", ADDR) });
const webrtc = section({
  host: z.array(webrtcHost, { error: "must be a list of <host> elements" }).default([]),
}).transform((w) => ({ host: w.host.filter((h) => h.rtmp !== "" || h.http !== "") }));

const rtsp = section({
  ip: text("", HOST),
  port: port(8554),
  sport: port(322),
  ssl: bool(false),
  maxidle: int(12, 0, DAY),
  hasrtmp: bool(true),
  enable: bool(true),
  // Seconds a client has to finish a request it started (and to send its first); 0 = none.
  headertimeout: int(10, 0, 3600),
  ...CONN_LIMITS,
});

const EXT = /^\.?[A-Za-z0-9_\-]+$/;
const DIR = /^[^\s,\\]+$/;

const http = section({
  ip: text("", HOST),
  port: port(8080),
  sport: port(8181),
  ssl: bool(false),
  enable: bool(true),
  httpcache: int(8192, 0, 16_777_215),
  httpchunk: int(8192, 1, 16_777_215),
  httpmaxbody: int(67_108_864, 0, Number.MAX_SAFE_INTEGER),
  ioshrink: int(120, 0, 1_000_000),
  denyfile: list("php,xml", EXT, "must be a comma list of file extensions such as php,xml"),
  denypath: list("", DIR, "must be a comma list of folder names such as home,root"),
  flvblock: int(2048, 0, KB),
  hlsreccache: int(20, 1, 100_000),
  hlslivecache: int(4, 1, 10_000),
  hlssegment: int(3, 1, 1000),
  hlsduration: int(5, 1, 3600),
  dashreccache: int(20, 1, 100_000),
  dashlivecache: int(10, 1, 10_000),
  dashduration: int(10, 10, 3600),
  recmode: intOf(0, [0, 1, 2], "must be 0 (DASH), 1 (HLS) or 2 (MP4)"),
  recduration: int(3, 1, 1440),
  hlsfmp4: bool(false),
  llhls: bool(false),
  metrics: bool(true),
  maxconns: int(10_000, 1, 1_000_000),
  maxconnsperip: int(1000, 1, 1_000_000),
  headertimeout: int(10, 1, 3600),
  idletimeout: int(30, 1, DAY),
  wsidletimeout: int(60, 0, DAY),
}).transform((h) => ({
  ...h,
  denyFiles: splitList(h.denyfile).map((e) => e.replace(/^\./, "").toLowerCase()),
  denyPaths: splitList(h.denypath).map((p) => p.replace(/^\/+|\/+$/g, "")),
}));

const srt = section({
  ip: text("", HOST),
  port: port(9000),
  enable: bool(true),
  hasrtmp: bool(true),
  maxidle: int(10, 0, DAY),
  latency: int(120, 0, 60_000),
  passphrase: text("", { re: /^.{10,79}$/, rule: "must be 10..79 characters (empty = no encryption)" }),
  pbkeylen: intOf(0, [0, 16, 24, 32], "must be 0 (auto), 16, 24 or 32"),
  maxconns: int(1000, 0, 100_000),
  maxconnsperip: int(1000, 0, 100_000),
});

const cluster = section({
  id: text(""),
  reconnect: int(10, 1, DAY),
  heartbeat: int(180, 1, DAY),
  url: text("", ADDR),
  rtmp: text("", ADDR),
  http: text("", ADDR),
  // Edge pull: origins to play a stream from when it is not published here (comma list).
  origin: text("", {
    re: /^[^\s<>"]*( *, *[^\s<>"]+)*$/,
    rule: "must be a comma list of host:port or rtmp(s):// URLs",
  }),
  edgeidle: int(10, 1, DAY),
});

const log = section({
  level: oneOf("info", ["debug", "info", "warn", "error"]),
  dir: text("logs"),
  file: bool(true),
});

/** Every section with its defaults and value rules; rules across elements are in _checks.ts. */
/** [Estuary] Event notifications: JSON POSTs to the operator's URL (publish, unpublish, recording done). */
const hooks = section({
  url: text("", {
    re: /^(|https?:\/\/[^\s<>"]+)$/,
    rule: "must be empty (off) or an http:// or https:// URL",
  }),
  timeout: int(3000, 1, 60_000),
  events: list(
    "publish,record",
    /^(publish|play|record)$/,
    "must be a comma list of publish (publish and unpublish), play (play and stop), record (a recording file closed)",
  ),
});

export const Base = section({
  elapse: bool(false),
  // Worker processes sharing the listening ports (Linux); 0 = one per core, 1 = a single process.
  workers: int(1, 0, 64),
  authurl,
  rtp,
  nat,
  sock,
  ssl,
  rtmp,
  admin,
  rtc,
  webrtc,
  rtsp,
  http,
  srt,
  cluster,
  hooks,
  log,
});

export type Config = z.infer<typeof Base>;
