/**
 * A WHIP publisher inside Chromium: the fake camera and microphone (`--use-fake-device-for-media-stream`)
 * sent over the browser's own RTCPeerConnection, non-trickle, with an optional Bearer token. Its state
 * stays in the page (`window.whip`) for a later DELETE.
 */
import type { Page } from "playwright-core";

export interface WhipResult {
  status: number;
  location: string;
  error: string;
  /** The browser's connection state once it settled (or after 15 s). */
  state: string;
  /** Per outbound stream "kind:packetsSent:encoder", read 1.5 s after connecting. */
  sent: string[];
}

const CLIENT = `globalThis.whipPublish = async (url, token, videoCodec) => {
  const media = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 360, frameRate: 30 },
    audio: true,
  });
  const pc = new RTCPeerConnection();
  for (const t of media.getTracks()) {
    const tr = pc.addTransceiver(t, { direction: "sendonly", streams: [media] });
    // Only this video codec in the offer (e.g. "video/VP8"), when asked.
    if (videoCodec && t.kind === "video") {
      const all = RTCRtpSender.getCapabilities("video").codecs;
      tr.setCodecPreferences(all.filter((c) => c.mimeType === videoCodec));
    }
  }
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === "complete") return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
    setTimeout(r, 3000);
  });
  const headers = { "content-type": "application/sdp" };
  if (token) headers.authorization = "Bearer " + token;
  const res = await fetch(url, { method: "POST", headers, body: pc.localDescription.sdp });
  const body = await res.text();
  const out = { status: res.status, location: "", error: "", state: "" };
  if (res.status !== 201) {
    out.error = body;
    pc.close();
    media.getTracks().forEach((t) => t.stop());
    return out;
  }
  out.location = new URL(res.headers.get("location"), globalThis.location.href).toString();
  globalThis.whip = { pc, media, location: out.location };
  await pc.setRemoteDescription({ type: "answer", sdp: body });
  const end = performance.now() + 15000;
  while (pc.connectionState !== "connected" && pc.connectionState !== "failed" && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
  }
  out.state = pc.connectionState;
  await new Promise((r) => setTimeout(r, 1500));
  out.sent = [];
  (await pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp") out.sent.push(s.kind + ":" + s.packetsSent + ":" + (s.encoderImplementation || ""));
  });
  return out;
};`;

/**
 * Publishes the fake devices from `page` (a page of the server) to the WHIP `url`; `videoCodec`
 * (e.g. "video/VP8") leaves only that video codec in the offer.
 */
export async function whipPublish(page: Page, url: string, token = "", videoCodec = ""): Promise<WhipResult> {
  await page.addScriptTag({ content: CLIENT });
  return await page.evaluate(
    // deno-lint-ignore no-explicit-any
    ([url, token, codec]) => (globalThis as any).whipPublish(url, token, codec) as Promise<WhipResult>,
    [url, token, videoCodec] as const,
  );
}

/** DELETE on the publisher's Location; returns the status. */
export function whipDelete(page: Page): Promise<number> {
  return page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const w = (globalThis as any).whip;
    const res = await fetch(w.location, { method: "DELETE" });
    w.pc.close();
    return res.status;
  });
}
