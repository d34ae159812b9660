/**
 * The bad-input matrix (issue 10): while ffmpeg publishes over RTMP and an ffmpeg player reads the
 * stream over HTTP-FLV, every port in turn gets malformed and hostile input, three rounds over.
 * Each hostile session must get its answer and be closed (or be ignored, where the protocol says so);
 * the player must never wait over 1 s for a frame; and afterwards the server's descriptors and RSS
 * (the server runs in this process) return to their baseline within a small tolerance.
 */
import assert from "node:assert/strict";
import { ffmpegPublish, requireTool, startTestServer, type TestServer, waitFor } from "./support/mod.ts";
import { flvPlayer, gaps } from "./support/flv_player.ts";
import { rawHandshake, readUntilClosed, writeAll } from "./support/rtmp_raw.ts";
import { Raw } from "./support/rtsp_client.ts";
import { conclusion, induction, rawPeer } from "./support/srt_raw.ts";
import { srtStats } from "./support/srt_client.ts";

const KEY = "live/matrix";
const ROUNDS = 3;
/** Descriptors the server may still hold over its baseline afterwards (none is expected). */
const FD_SLACK = 2;
/** RSS may stay this much over baseline: V8 and the allocator keep freed pages for reuse. */
const RSS_SLACK = 48 * 1024 * 1024;

const enc = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fdList = () =>
  [...Deno.readDirSync("/proc/self/fd")].map((e) => {
    try {
      return `${e.name}:${Deno.readLinkSync(`/proc/self/fd/${e.name}`)}`;
    } catch {
      return e.name;
    }
  });
const fdCount = () => fdList().length;

async function tcp(port: number): Promise<Deno.TcpConn> {
  return await Deno.connect({ hostname: "127.0.0.1", port });
}

/** Writes what the server may refuse halfway: a reset while sending is part of the answer. */
async function sendAll(c: Deno.Conn, b: Uint8Array): Promise<void> {
  await writeAll(c, b).catch(() => {});
}

/** A case sends its input and asserts the answer; `name` says what must happen. */
type Case = { name: string; run: (ts: TestServer) => Promise<void> };

async function closedAfter(c: Deno.Conn, name: string, ms = 4000): Promise<string> {
  const r = await readUntilClosed(c, ms);
  assert.ok(r.closed, `${name}: the server closed the connection`);
  return r.text;
}

/** A chunk on csid 2, message stream 0: `type` with a 4-byte payload. */
const control = (type: number, value: number) =>
  new Uint8Array([
    0x02,
    0,
    0,
    0,
    0,
    0,
    4,
    type,
    0,
    0,
    0,
    0,
    value >>> 24,
    (value >> 16) & 255,
    (value >> 8) & 255,
    value & 255,
  ]);

const RTMP: Case[] = [
  {
    name: "rtmp: a garbage handshake is closed",
    run: async (ts) => {
      const c = await tcp(ts.port("rtmp"));
      const junk = crypto.getRandomValues(new Uint8Array(4000));
      junk[0] = 0x47;
      await sendAll(c, junk);
      await closedAfter(c, "garbage handshake");
    },
  },
  {
    name: "rtmp: chunk size 0 and 2^31 are closed",
    run: async (ts) => {
      for (const size of [0, 0x8000_0000]) {
        const c = await rawHandshake(ts.port("rtmp"));
        await sendAll(c, control(1, size));
        await closedAfter(c, `chunk size ${size}`);
      }
    },
  },
  {
    name: "rtmp: an unknown message type is ignored, then the connect deadline closes the session",
    run: async (ts) => {
      const c = await rawHandshake(ts.port("rtmp"));
      await sendAll(c, control(0x55, 7));
      await closedAfter(c, "unknown type", 4000);
    },
  },
  {
    name: "rtmp: a message length of 16 MB is closed",
    run: async (ts) => {
      const c = await rawHandshake(ts.port("rtmp"));
      await sendAll(c, new Uint8Array([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0, 0x02]));
      await closedAfter(c, "huge message length");
    },
  },
];

const H = "Host: a\r\n";
const HTTP: Case[] = [
  ...[
    [
      "Content-Length with Transfer-Encoding",
      `POST /api/live HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      "two Content-Length",
      `POST /api/live HTTP/1.1\r\n${H}Content-Length: 4\r\nContent-Length: 5\r\n\r\nxxxxx`,
    ],
    ["obs-fold", `GET /api/live HTTP/1.1\r\n${H}X-A: 1\r\n folded\r\n\r\n`],
    ["a 200 KB head", `GET /api/live HTTP/1.1\r\n${H}X-Big: ${"a".repeat(200_000)}\r\n\r\n`],
    [
      "a WebSocket upgrade without a key",
      `GET /${KEY}.flv HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ],
  ].map(([what, head]): Case => ({
    name: `http: ${what} gets 400 and close`,
    run: async (ts) => {
      const c = await tcp(ts.port("http"));
      await sendAll(c, enc(head + `GET /api/status HTTP/1.1\r\n${H}\r\n`));
      const text = await closedAfter(c, what);
      assert.match(text, /^HTTP\/1\.1 4\d\d /, `${what}: ${text.slice(0, 80)}`);
      assert.equal(text.match(/HTTP\/1\.1 /g)?.length, 1, `${what}: nothing answered after the refusal`);
    },
  })),
  {
    name: "http: a slowloris head (one header line every 300 ms) is closed by headertimeout (1 s)",
    run: async (ts) => {
      const c = await tcp(ts.port("http"));
      const t0 = Date.now();
      let trickling = true;
      const trickle = (async () => {
        await sendAll(c, enc(`GET /api/status HTTP/1.1\r\n${H}`));
        for (let i = 0; trickling && i < 30; i++) {
          await sleep(300);
          await writeAll(c, enc(`X-${i}: ${i}\r\n`)).catch(() => trickling = false);
        }
      })();
      await closedAfter(c, "slowloris", 5000);
      trickling = false;
      await trickle;
      assert.ok(Date.now() - t0 < 3000, `slowloris closed after ${Date.now() - t0} ms`);
    },
  },
];

const sdp = (media: string[]) =>
  ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=x", "t=0 0", ...media, ""].join("\r\n");
const HOSTILE_AAC = sdp([
  "m=audio 0 RTP/AVP 97",
  "a=rtpmap:97 MPEG4-GENERIC/44100/2",
  "a=fmtp:97 streamtype=5;mode=AAC-hbr;config=1210;sizelength=13;indexlength=-13;indexdeltalength=3",
  "a=control:streamid=0",
]);

const RTSP: Case[] = [
  {
    name: "rtsp: garbage gets 400 and close",
    run: async (ts) => {
      const c = await Raw.open(ts.port("rtsp"));
      await c.send("HELLO WORLD\r\n\r\n");
      assert.equal((await c.response()).status, 400);
      assert.ok(await c.closedByPeer());
      c.close(); // our end of it
    },
  },
  {
    name: "rtsp: a missing CSeq gets 400; Content-Length 999999999 gets 413 and close",
    run: async (ts) => {
      const c = await Raw.open(ts.port("rtsp"));
      const url = ts.rtsp("/live/x");
      await c.send(`OPTIONS ${url} RTSP/1.0\r\n\r\n`);
      assert.equal((await c.response()).status, 400);
      await c.send(`ANNOUNCE ${url} RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 999999999\r\n\r\n`);
      assert.equal((await c.response()).status, 413);
      assert.ok(await c.closedByPeer());
      c.close(); // our end of it
    },
  },
  {
    name: "rtsp: an ANNOUNCE with a negative AAC indexlength gets 400; its RTP packet cannot stall",
    run: async (ts) => {
      const c = await Raw.open(ts.port("rtsp"));
      const url = ts.rtsp("/live/evil");
      const r = await c.request("ANNOUNCE", url, [["Content-Type", "application/sdp"]], HOSTILE_AAC);
      assert.equal(r.status, 400);
      await c.send(new Uint8Array([0x24, 0, 0, 16, 0x80, 97, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 16, 0, 8]));
      const t0 = performance.now();
      assert.equal((await c.request("OPTIONS", url)).status, 200);
      assert.ok(performance.now() - t0 < 500, "the server answers at once");
      c.close();
      await c.closed;
    },
  },
];

const SRT: Case[] = [
  {
    name: "srt: random datagrams and a conclusion with a forged cookie get no answer and no session",
    run: async (ts) => {
      const peer = rawPeer(ts.port("srt"));
      try {
        const bad0 = srtStats(ts).badPackets;
        for (let i = 0; i < 200; i++) {
          await peer.send(crypto.getRandomValues(new Uint8Array(16 + (i * 37) % 1300)));
          if (i % 25 === 0) await sleep(5);
        }
        let ind;
        for (let i = 0; i < 5 && !ind; i++) {
          await peer.hs(induction(900 + i));
          ind = await peer.answer(300);
        }
        assert.ok(ind && ind.cookie !== 0, "the induction is answered");
        await peer.hs(conclusion(900, (ind.cookie + 1) >>> 0));
        assert.equal(await peer.answer(400), undefined, "a forged cookie is not answered");
        assert.equal(srtStats(ts).sessions, 0);
        assert.ok(srtStats(ts).badPackets > bad0, "the garbage is counted as bad packets");
      } finally {
        await peer.close();
      }
    },
  },
];

/** Where the longest wait between two video tags fell: the case(s) running then. */
function worstGap(video: { at: number }[], from: number, marks: { at: number; name: string }[]): string {
  let i = 0;
  for (let k = 1; k < video.length; k++) {
    if (
      video[k - 1].at >= from &&
      video[k].at - video[k - 1].at > video[i].at - (video[i - 1]?.at ?? video[i].at)
    ) i = k;
  }
  const a = video[i - 1]?.at ?? 0, b = video[i].at;
  const during = marks.filter((m, j) => m.at <= b && (marks[j + 1]?.at ?? Infinity) >= a).map((m) => m.name);
  return `from +${a - from} ms to +${b - from} ms, during: ${during.join("; ")}`;
}

Deno.test("bad-input matrix: hostile input on every port; the real player never stalls; fds and RSS return", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer({
    rtmp: { connecttimeout: 1 },
    http: { headertimeout: 1 },
  });
  const pub = ffmpegPublish({ url: ts.rtmp(`/${KEY}`), format: "flv", seconds: 60 });
  let player: ReturnType<typeof flvPlayer> | undefined;
  try {
    await waitFor(() => ts.hub.get(KEY)?.isTracksReady, 15_000, "the publisher's tracks");
    player = flvPlayer(ts.http(`/${KEY}.flv`));
    const video = player.video;
    await waitFor(() => video.length >= 30, 10_000, "the player's first second");
    await sleep(500);
    const fds0 = fdList();
    const fd0 = fds0.length;
    const rss0 = Deno.memoryUsage().rss;
    const from = Date.now();
    /** When each case began, to name the one running during the worst gap. */
    const marks: { at: number; name: string }[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [...RTMP, ...HTTP, ...RTSP, ...SRT]) {
        marks.push({ at: Date.now(), name: c.name });
        try {
          await c.run(ts);
        } catch (err) {
          throw new Error(`round ${round + 1}: ${c.name}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    const end = Date.now();

    // Every hostile session is gone: only the publisher on RTMP and the player on HTTP remain.
    const open = (svc: string, f: string) => (ts.stats<Record<string, number>>(svc))[f];
    await waitFor(() => open("rtmp", "connections") === 1, 5000, "RTMP back to the publisher alone");
    await waitFor(() => open("rtsp", "openConnections") === 0, 5000, "no RTSP connection left");
    await waitFor(() => open("http", "conns") === 1, 5000, "HTTP back to the player alone");
    await waitFor(() => fdCount() <= fd0 + FD_SLACK, 5000, `descriptors back near ${fd0}`).catch((err) => {
      throw new Error(`${err.message}; new: ${fdList().filter((f) => !fds0.includes(f)).join(" ")}`);
    });
    const rss = Deno.memoryUsage().rss;
    console.log(
      `matrix: ${ROUNDS} rounds in ${((end - from) / 1000).toFixed(1)} s; fds ${fd0} → ${fdCount()}; ` +
        `RSS ${(rss0 / 1e6).toFixed(0)} → ${(rss / 1e6).toFixed(0)} MB; worst frame gap ${
          gaps(video, from).wallMs
        } ms`,
    );
    assert.ok(rss <= rss0 + RSS_SLACK, `RSS ${rss0} → ${rss}: over ${RSS_SLACK} bytes above baseline`);

    const g = gaps(video, from);
    assert.ok(
      g.wallMs < 1000,
      `the player waited ${g.wallMs} ms for a frame (${worstGap(video, from, marks)})`,
    );
    assert.ok(Date.now() - video[video.length - 1].at < 1000, "the player is still receiving");
    const frames = video.filter((v) => v.at >= from && v.at <= end).length;
    assert.ok(frames >= ((end - from) / 1000) * 30 * 0.8, `${frames} frames in ${end - from} ms`);
  } catch (err) {
    console.error(ts.lines.slice(-30).join("\n"));
    throw err;
  } finally {
    const stderr = await player?.stop();
    if (stderr) console.error(stderr);
    await pub.stop();
    await ts.close();
  }
});
