/**
 * Session behaviour with a hand-driven client: NAT address in SDP and Transport, RTP-Info matching
 * the first packets, PAUSE and resume, server stats, and the idle timeouts (idle connection,
 * silent UDP player, silent publisher).
 */
import assert from "node:assert/strict";
import type { Frame, Hub, Stream } from "../src/core/mod.ts";
import { g711Track, h264Track, joinAvcc, splitAnnexB } from "../src/codecs/mod.ts";
import { parseRtp } from "../src/formats/rtp/mod.ts";
import { startTestServer, waitFor } from "./support/mod.ts";
import { Raw } from "./support/rtsp_client.ts";

type RtspStats = { players: number; sessions: number; udpPairs: number };

const H264 = Deno.readFileSync(
  new URL("../src/formats/rtp/testdata/h264_320x240_bframes.h264", import.meta.url),
);

/** Publishes the fixture GOP (and G.711 audio) into the hub at 30 fps until stopped. */
async function feed(hub: Hub, name: string): Promise<{ stream: Stream; stop: () => void }> {
  const nals = splitAnnexB(H264);
  const video = h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
  const audio = g711Track("pcma");
  const aus: { key: boolean; data: Uint8Array }[] = [];
  let cur: Uint8Array[] = [];
  for (const n of nals) {
    cur.push(n);
    if ((n[0] & 0x1f) === 1 || (n[0] & 0x1f) === 5) {
      aus.push({ key: (n[0] & 0x1f) === 5, data: joinAvcc(cur) });
      cur = [];
    }
  }
  const stream = await hub.publish({
    role: "publisher",
    protocol: "test",
    app: "live",
    name,
    vhost: "",
    query: "",
  });
  stream.setTrack(video);
  stream.setTrack(audio);
  let i = 0;
  const timer = setInterval(() => {
    const au = aus[i % aus.length];
    // B-frame order does not matter here: timestamps only need to advance.
    const f: Frame = { track: video, dts: i * 3000, pts: i * 3000, key: au.key, data: au.data };
    stream.write(f);
    stream.write({ track: audio, dts: i * 267, pts: i * 267, key: true, data: new Uint8Array(267) });
    i++;
  }, 33);
  return { stream, stop: () => clearInterval(timer) };
}

Deno.test("rtsp session: NAT address, RTP-Info, PAUSE/resume, stats", async () => {
  // The public address players are told (`<nat><rtsp>`).
  const ts = await startTestServer({ nat: { rtsp: "203.0.113.7:8554" } });
  const { hub } = ts;
  const port = ts.port("rtsp");
  const src = await feed(hub, "nat");
  const raws: Raw[] = [];
  try {
    const base = ts.rtsp("/live/nat");
    const udp = await Raw.open(port);
    raws.push(udp);
    const d = await udp.request("DESCRIBE", base);
    const sdp = new TextDecoder().decode(d.body);
    assert.match(sdp, /^c=IN IP4 203\.0\.113\.7$/m);
    assert.match(sdp, /^m=video 0 RTP\/AVP 96$/m);
    assert.match(sdp, /^a=rtpmap:8 PCMA\/8000\/1$/m);
    const s = await udp.request("SETUP", `${base}/trackID=0`, [[
      "Transport",
      "RTP/AVP;unicast;client_port=9-10",
    ]]);
    const transport = s.headers.get("transport")!;
    assert.match(transport, /source=203\.0\.113\.7/);
    assert.match(transport, /server_port=\d+-\d+/);
    assert.match(s.headers.get("session")!, /^[0-9A-F]{16};timeout=12$/);

    const tcp = await Raw.open(port);
    raws.push(tcp);
    assert.equal((await tcp.request("DESCRIBE", base)).status, 200);
    const s0 = await tcp.request("SETUP", `${base}/trackID=0`, [[
      "Transport",
      "RTP/AVP/TCP;unicast;interleaved=0-1",
    ]]);
    const sid = s0.headers.get("session")!.split(";")[0];
    const s1 = await tcp.request("SETUP", `${base}/trackID=1`, [
      ["Transport", "RTP/AVP/TCP;unicast;interleaved=2-3"],
      ["Session", sid],
    ]);
    assert.equal(s1.status, 200);
    const play = await tcp.request("PLAY", base, [["Session", sid], ["Range", "npt=0.000-"]]);
    assert.equal(play.status, 200);
    const info = play.headers.get("rtp-info")!.split(",").map((e) =>
      Object.fromEntries(
        e.split(";").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      )
    );
    assert.deepEqual(info.map((e) => e.url), [`${base}/trackID=0`, `${base}/trackID=1`]);
    await waitFor(() => tcp.count(0) > 30 && tcp.count(2) > 10, 5000, "interleaved RTP on 0 and 2");
    const first = parseRtp(tcp.data.get(0)![0]);
    assert.equal(String(first.sequence), info[0].seq);
    assert.equal(String(first.timestamp), info[0].rtptime);
    assert.ok(tcp.count(1) > 0, "RTCP sender reports on channel 1");
    await waitFor(() => src.stream.players.get("rtsp") === 1, 2000, "one counted player");
    assert.equal(ts.stats<RtspStats>("rtsp").players, 2);

    assert.equal((await tcp.request("PAUSE", base, [["Session", sid]])).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const paused = tcp.count(0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(tcp.count(0), paused, "nothing flows while paused");
    assert.equal((await tcp.request("PLAY", base, [["Session", sid]])).status, 200);
    await waitFor(() => tcp.count(0) > paused + 20, 5000, "RTP again after PLAY");
    assert.equal((await tcp.request("TEARDOWN", base, [["Session", sid]])).status, 200);
    await waitFor(() => (src.stream.players.get("rtsp") ?? 0) === 0, 2000, "player released");
  } finally {
    for (const r of raws) r.close();
    src.stop();
    await ts.close();
  }
});

Deno.test("rtsp session: idle connections, silent UDP players and silent publishers time out", async () => {
  // <rtsp><maxidle> 1 s; notfound=reject (no wait for a publisher).
  const ts = await startTestServer({ rtsp: { maxidle: 1 }, rtmp: { notfound: "reject" } });
  const { hub } = ts;
  const port = ts.port("rtsp");
  const src = await feed(hub, "idle");
  const raws: Raw[] = [];
  try {
    const base = ts.rtsp("/live");
    const idle = await Raw.open(port);
    const player = await Raw.open(port);
    const publisher = await Raw.open(port);
    raws.push(idle, player, publisher);
    assert.equal((await player.request("DESCRIBE", `${base}/idle`)).status, 200);
    const s = await player.request("SETUP", `${base}/idle/trackID=0`, [[
      "Transport",
      "RTP/AVP;unicast;client_port=9-10",
    ]]);
    assert.equal(
      (await player.request("PLAY", `${base}/idle`, [["Session", s.headers.get("session")!]])).status,
      200,
    );
    const sdp =
      "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\r\na=control:streamid=0\r\n";
    assert.equal(
      (await publisher.request("ANNOUNCE", `${base}/silent`, [["Content-Type", "application/sdp"]], sdp))
        .status,
      200,
    );
    const ps = await publisher.request("SETUP", `${base}/silent/streamid=0`, [[
      "Transport",
      "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
    ]]);
    assert.equal(
      (await publisher.request("RECORD", `${base}/silent`, [["Session", ps.headers.get("session")!]])).status,
      200,
    );
    const silent = hub.get("live/silent")!;
    const t0 = Date.now();
    await Promise.all([idle.closed, player.closed, publisher.closed]);
    const took = Date.now() - t0;
    assert.ok(took < 4000, `timeouts took ${took} ms`);
    assert.equal(silent.isEnded, true);
    await waitFor(() => (src.stream.players.get("rtsp") ?? 0) === 0, 2000, "player released");
    assert.equal(ts.stats<RtspStats>("rtsp").sessions, 0);
    assert.equal(ts.stats<RtspStats>("rtsp").udpPairs, 0);
  } finally {
    for (const r of raws) r.close();
    src.stop();
    await ts.close();
  }
});
