/**
 * A WHEP client inside Chromium (the browser's own RTCPeerConnection), injected into a page of the
 * server's origin with page.evaluate: recvonly video + audio, POST the offer, apply the answer, then
 * read getStats(). Its state stays in the page (`window.whep`) so a test can DELETE or vanish later.
 */
import type { Page } from "playwright-core";

export interface WhepResult {
  status: number;
  location: string;
  links: string;
  error: string;
  /** POST → first decoded video frame, ms (0 if none). */
  firstFrameMs: number;
  framesDecoded: number;
  freezeCount: number;
  videoMime: string;
  audioMime: string;
  totalAudioEnergy: number;
  audioPackets: number;
  /** Connection state changes, "ms state". */
  states: string[];
  /** The status of each trickle PATCH. */
  patches: number[];
}

export interface WhepPlayOptions {
  /** Stop once this many frames are decoded (and audio energy is seen when `audio`). */
  frames: number;
  timeoutMs: number;
  audio: boolean;
  /** true: POST at once and send candidates with PATCH; false: wait for gathering (non-trickle). */
  trickle?: boolean;
  /** false: never apply the answer (a client that never connects). */
  connect?: boolean;
}

/**
 * The client, as plain browser JavaScript (Deno's types have no WebRTC): `whepPlay(url, o)` resolves
 * to a WhepResult.
 */
const CLIENT = `globalThis.whepPlay = async (url, o) => {
    const out = {
      status: 0,
      location: "",
      links: "",
      error: "",
      firstFrameMs: 0,
      framesDecoded: 0,
      freezeCount: 0,
      videoMime: "",
      audioMime: "",
      totalAudioEnergy: 0,
      audioPackets: 0,
      states: [],
      patches: [],
    };
    const t00 = performance.now();
    const note = (w) => out.states.push(Math.round(performance.now() - t00) + " " + w);
    const pc = new RTCPeerConnection();
    pc.onconnectionstatechange = () => note("pc " + pc.connectionState);
    pc.oniceconnectionstatechange = () => note("ice " + pc.iceConnectionState);
    globalThis.whep = { pc, location: "" };
    (globalThis.whepAll ??= []).push(pc);
    // Played out like a real page: Chromium measures audio energy only for audio it renders.
    pc.ontrack = (e) => {
      const el = document.createElement(e.track.kind);
      el.srcObject = new MediaStream([e.track]);
      el.autoplay = true;
      document.body.appendChild(el);
      el.play().catch(() => {});
    };
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    const pending = [];
    let location = "";
    const patch = async (cands) => {
      const lines = cands.map((c) => \`a=\${c.candidate}\`).join("\\r\\n");
      const frag = \`a=ice-ufrag:\${cands[0]?.usernameFragment ?? ""}\\r\\nm=video 9 UDP/TLS/RTP/SAVPF 0\\r\\na=mid:0\\r\\n\${lines}\\r\\n\`;
      const r = await fetch(location, {
        method: "PATCH",
        headers: { "content-type": "application/trickle-ice-sdpfrag" },
        body: frag,
      });
      out.patches.push(r.status);
    };
    pc.onicecandidate = (e) => {
      if (!e.candidate || !o.trickle) return;
      if (location) patch([e.candidate]);
      else pending.push(e.candidate);
    };
    await pc.setLocalDescription(await pc.createOffer());
    if (!o.trickle) {
      await new Promise((r) => {
        if (pc.iceGatheringState === "complete") return r();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
        setTimeout(r, 3000);
      });
    }
    const t0 = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/sdp" },
      body: pc.localDescription.sdp,
    });
    out.status = res.status;
    out.links = res.headers.get("link") ?? "";
    const body = await res.text();
    if (res.status !== 201) {
      out.error = body;
      pc.close();
      return out;
    }
    location = out.location = new URL(res.headers.get("location"), globalThis.location.href).toString();
    globalThis.whep.location = location;
    if (o.connect === false) return out;
    await pc.setRemoteDescription({ type: "answer", sdp: body });
    if (o.trickle && pending.length) await patch(pending);
    const end = performance.now() + o.timeoutMs;
    while (performance.now() < end) {
      const stats = await pc.getStats();
      const codecs = new Map();
      stats.forEach((s) => {
        if (s.type === "codec") codecs.set(s.id, s.mimeType);
      });
      stats.forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video") {
          out.framesDecoded = s.framesDecoded ?? 0;
          out.freezeCount = s.freezeCount ?? 0;
          out.videoMime = codecs.get(s.codecId) ?? "";
          if (out.framesDecoded > 0 && !out.firstFrameMs) out.firstFrameMs = Math.round(performance.now() - t0);
        } else if (s.kind === "audio") {
          out.totalAudioEnergy = s.totalAudioEnergy ?? 0;
          out.audioPackets = s.packetsReceived ?? 0;
          out.audioMime = codecs.get(s.codecId) ?? "";
        }
      });
      if (out.framesDecoded >= o.frames && (!o.audio || out.totalAudioEnergy > 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return out;
  };`;

/** Runs the client in `page` (already at a page of the server) against `url` (path or absolute). */
export async function whepPlay(page: Page, url: string, o: WhepPlayOptions): Promise<WhepResult> {
  await page.addScriptTag({ content: CLIENT });
  return await page.evaluate(
    // deno-lint-ignore no-explicit-any
    ([url, o]) => (globalThis as any).whepPlay(url, o) as Promise<WhepResult>,
    [url, o] as const,
  );
}

/** DELETE on the session's Location from the page; returns the status. */
export function whepDelete(page: Page): Promise<number> {
  return page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const w = (globalThis as any).whep;
    const res = await fetch(w.location, { method: "DELETE" });
    w.pc.close();
    return res.status;
  });
}
