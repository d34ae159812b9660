/// <reference lib="dom" />
/**
 * WHEP playback and WHIP publishing from the browser (RFC 9725 / the WHEP draft): one offer POSTed
 * as application/sdp once ICE gathering is complete (no trickle needed), the answer applied, and the
 * session's Location DELETEd on stop.
 */

async function gathered(pc: RTCPeerConnection, ms = 2000): Promise<void> {
  if (pc.iceGatheringState === "complete") return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms); // host candidates come at once; do not wait on a slow STUN
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

async function exchange(
  pc: RTCPeerConnection,
  url: string,
  headers: Record<string, string> = {},
): Promise<string | null> {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/sdp", ...headers },
    body: pc.localDescription!.sdp,
  });
  if (res.status !== 201) {
    let msg = `HTTP ${res.status}`;
    try {
      msg = (await res.json()).msg ?? msg;
    } catch { /* not JSON */ }
    throw new Error(msg);
  }
  const location = res.headers.get("location");
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  return location ? new URL(location, url).toString() : null;
}

/** Plays a WHEP endpoint into `video`; returns the function that ends the session. */
export async function playWhep(
  video: HTMLVideoElement,
  url: string,
  onError: (m: string) => void,
): Promise<() => void> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const media = new MediaStream();
  pc.ontrack = (e) => {
    media.addTrack(e.track);
    video.srcObject = media;
    video.play().catch(() => {});
  };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "failed") onError("WebRTC connection failed");
  };
  const session = await exchange(pc, url);
  return () => {
    pc.close();
    video.srcObject = null;
    if (session) fetch(session, { method: "DELETE" }).catch(() => {});
  };
}

/** Publishes `stream` to a WHIP endpoint; returns the function that ends the session. */
export async function publishWhip(
  stream: MediaStream,
  url: string,
  token = "",
): Promise<{ stop: () => void; pc: RTCPeerConnection }> {
  const pc = new RTCPeerConnection();
  for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: "sendonly", streams: [stream] });
  const session = await exchange(pc, url, token ? { authorization: `Bearer ${token}` } : {});
  return {
    pc,
    stop: () => {
      pc.close();
      for (const t of stream.getTracks()) t.stop();
      if (session) fetch(session, { method: "DELETE" }).catch(() => {});
    },
  };
}
