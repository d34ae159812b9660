/**
 * ICE over TCP (RFC 6544), the fallback where UDP is blocked: the answer carries a passive TCP host
 * candidate beside the UDP one. A Chromium WHEP client that can only use TCP (it drops the answer's
 * UDP candidates before applying it, as a client behind a UDP-blocking firewall would find them
 * unreachable) connects over TCP (getStats: the selected pair's remote candidate is tcp/passive) and
 * decodes ≥ 30 frames. With `<rtc><icetcp>false</icetcp>` the answer has no TCP candidate.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264B,
  requireTool,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

/** The page's side: WHEP with the answer's UDP candidates removed; the selected pair and frames. */
const CLIENT = `globalThis.tcpOnlyPlay = async (url, frames, timeoutMs) => {
  const out = { status: 0, error: "", answerCandidates: [], framesDecoded: 0, protocol: "", tcpType: "", firstFrameMs: 0 };
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === "complete") return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
    setTimeout(r, 3000);
  });
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/sdp" }, body: pc.localDescription.sdp });
  out.status = res.status;
  const answer = await res.text();
  if (res.status !== 201) { out.error = answer; pc.close(); return out; }
  const lines = answer.split("\\r\\n");
  out.answerCandidates = lines.filter((l) => l.startsWith("a=candidate:"));
  const tcpOnly = lines.filter((l) => !(l.startsWith("a=candidate:") && / udp /i.test(l))).join("\\r\\n");
  await pc.setRemoteDescription({ type: "answer", sdp: tcpOnly });
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        out.framesDecoded = s.framesDecoded ?? 0;
        if (out.framesDecoded > 0 && !out.firstFrameMs) out.firstFrameMs = Math.round(performance.now() - t0);
      }
      if (s.type === "transport" && s.selectedCandidatePairId) {
        const remote = byId.get(byId.get(s.selectedCandidatePairId)?.remoteCandidateId);
        out.protocol = remote?.protocol ?? "";
        out.tcpType = remote?.tcpType ?? "";
      }
    });
    if (out.framesDecoded >= frames) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  pc.close();
  return out;
};`;

interface TcpOnlyResult {
  status: number;
  error: string;
  answerCandidates: string[];
  framesDecoded: number;
  protocol: string;
  tcpType: string;
  firstFrameMs: number;
}

Deno.test("whep over ICE-TCP: a client without UDP plays through the passive TCP candidate; off → none", async () => {
  const ts = await startTestServer();
  const off = await startTestServer({ rtc: { icetcp: false } });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, "--allow-loopback-in-peer-connection"],
  });
  const pubs = [ts, off].map((s) =>
    ffmpegPublish({ url: s.rtmp("/live/tcp"), format: "flv", seconds: 40, video: H264B, audio: ["-an"] })
  );
  try {
    await Promise.all([ts, off].map((s) => waitLive(s.hub, "live/tcp", { audio: false, videoFrames: 35 })));
    const play = async (url: string, timeoutMs: number) => {
      const page = await browser.newPage();
      await page.goto(url.replace(/\/live\/tcp\/whep$/, "/api/status"));
      await page.addScriptTag({ content: CLIENT });
      const r = await page.evaluate(
        // deno-lint-ignore no-explicit-any
        ([url, timeoutMs]) => (globalThis as any).tcpOnlyPlay(url, 30, timeoutMs),
        [url, timeoutMs] as const,
      ) as TcpOnlyResult;
      await page.close();
      return r;
    };
    const r = await play(ts.http("/live/tcp/whep"), 20_000);
    console.log(
      `TCP only: ${r.framesDecoded} frames, first after ${r.firstFrameMs} ms, selected remote candidate ` +
        `${r.protocol} ${r.tcpType}; answer candidates:\n${r.answerCandidates.join("\n")}`,
    );
    assert.equal(r.status, 201, r.error);
    assert.ok(r.answerCandidates.some((c) => / tcp .* tcptype passive/.test(c)), "a passive TCP candidate");
    assert.ok(r.answerCandidates.some((c) => / udp /i.test(c)), "the UDP candidate stays first choice");
    assert.equal(r.protocol, "tcp", "the selected pair is over TCP");
    assert.equal(r.tcpType, "passive");
    assert.ok(r.framesDecoded >= 30, `${r.framesDecoded} frames decoded over TCP`);

    const none = await play(off.http("/live/tcp/whep"), 3000);
    assert.equal(none.status, 201, none.error);
    assert.ok(none.answerCandidates.length > 0, "UDP candidates");
    assert.ok(!none.answerCandidates.some((c) => / tcp /i.test(c)), none.answerCandidates.join("\n"));
    assert.equal(none.framesDecoded, 0, "no UDP and no TCP: nothing to connect to");
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await browser.close();
    await ts.close();
    await off.close();
  }
});
