/**
 * WebRTC sessions in the hub's session registry, through the admin API (/admin/api/session): a WHIP
 * publisher (Chromium's fake camera) and a WHEP viewer (Chromium) are listed with protocol webrtc,
 * their role, stream, client address, bytes and duration; kicking the viewer ends its session on the
 * server (one "whep play stop" line naming the admin) and its peer connection in the browser, while
 * the publisher goes on.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, requireTool, startTestServer, waitFor, waitLive } from "./support/mod.ts";
import { whepPlay } from "./support/whep_client.ts";
import { whipPublish } from "./support/whip_client.ts";

requireTool("chromium");

const ARGS = [
  ...CHROMIUM_ARGS,
  "--allow-loopback-in-peer-connection",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

interface Listed {
  id: string;
  protocol: string;
  role: string;
  remote: string;
  stream?: string;
  bytesIn: number;
  bytesOut: number;
  duration: number;
}

Deno.test("webrtc sessions: WHIP publisher and WHEP viewer listed in /admin/api/session; a kick closes the viewer's peer connection", async () => {
  const ts = await startTestServer({ admin: { password: "first-admin-pass" } });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(ts.http(path), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return await res.json() as { code: number; msg: string; data: unknown };
  };
  try {
    const token = (await api("POST", "/admin/api/login", "", { pwd: "first-admin-pass" })).data as {
      token: string;
    };
    const pub = await browser.newPage();
    await pub.goto(ts.http("/api/status"));
    const w = await whipPublish(pub, ts.http("/live/cam/whip"));
    assert.equal(w.status, 201, w.error);
    await waitLive(ts.hub, "live/cam", { videoFrames: 30, timeoutMs: 25_000 });
    const view = await browser.newPage();
    await view.goto(ts.http("/api/status"));
    const v = await whepPlay(view, ts.http("/live/cam/whep"), {
      frames: 30,
      timeoutMs: 20_000,
      audio: false,
    });
    assert.equal(v.status, 201, v.error);
    assert.ok(v.framesDecoded >= 30, `viewer decoded ${v.framesDecoded}`);

    // Polled until both have moved some media (the counts grow as the session runs).
    let list: Listed[] = [];
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      list = (await api("GET", "/admin/api/session?protocol=webrtc", token.token)).data as Listed[];
      const moved = (role: string, key: "bytesIn" | "bytesOut") =>
        list.some((s) => s.role === role && s[key] > 50_000 && s.duration >= 1);
      if (moved("publisher", "bytesIn") && moved("player", "bytesOut")) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    console.log(JSON.stringify(list));
    const publisher = list.find((s) => s.role === "publisher");
    const player = list.find((s) => s.role === "player");
    assert.equal(list.length, 2, JSON.stringify(list));
    assert.ok(publisher && player, JSON.stringify(list));
    for (const s of [publisher, player]) {
      assert.equal(s.protocol, "webrtc");
      assert.equal(s.stream, "live/cam");
      assert.match(s.remote, /^127\.0\.0\.1:\d+$/);
      assert.ok(s.duration >= 1, `duration ${s.duration}`);
    }
    assert.match(publisher.id, /^whip#\d+$/);
    assert.match(player.id, /^whep#\d+$/);
    assert.ok(publisher.bytesIn > 50_000, `publisher bytes in ${publisher.bytesIn}`);
    assert.ok(player.bytesOut > 50_000, `viewer bytes out ${player.bytesOut}`);

    // Kick the viewer: the server ends its session and the browser's peer connection goes down.
    const kick = await api("POST", "/admin/api/session?cmd=kick", token.token, { id: player.id });
    assert.equal(kick.code, 0, kick.msg);
    await waitFor(
      () => ts.lines.some((l) => l.includes("whep play stop") && l.includes("kicked by admin")),
      5000,
      "the viewer's stop line",
    );
    const t0 = Date.now();
    const state = await view.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const pc = (globalThis as any).whep.pc as { connectionState: string };
      const end = performance.now() + 40_000;
      while (pc.connectionState === "connected" && performance.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return pc.connectionState;
    });
    console.log(`viewer's peer connection ${state} ${Date.now() - t0} ms after the kick`);
    assert.notEqual(state, "connected", "the kicked viewer's peer connection closed");
    const after = (await api("GET", "/admin/api/session?protocol=webrtc", token.token)).data as Listed[];
    assert.deepEqual(after.map((s) => s.role), ["publisher"], JSON.stringify(after));
    assert.equal(ts.hub.get("live/cam")?.players.get("webrtc") ?? 0, 0);
  } finally {
    await browser.close();
    await ts.close();
  }
});
