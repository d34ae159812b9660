/**
 * A WHEP viewer in the test process (werift, a real third-party WebRTC stack): recvonly audio and video,
 * POST the offer to the server's WHEP URL, apply the answer, then keep every RTP packet (with when it
 * came) and every RTCP sender report per kind, for tests that look at the media itself (bytes per
 * second of the audio, decoded Opus, A/V timing through the sender reports).
 */
import { RTCPeerConnection, RtcpSrPacket, type RtpPacket, useH264, useOPUS } from "werift";

export interface SenderReport {
  /** NTP time in seconds (64-bit NTP timestamp as a number: whole seconds + fraction). */
  ntp: number;
  rtp: number;
}

export interface Received {
  packets: { at: number; packet: RtpPacket }[];
  srs: SenderReport[];
  /** Payload bytes received. */
  bytes: number;
}

export interface WeriftWhep {
  status: number;
  /** The answer's body when the server refused (status ≠ 201). */
  error: string;
  audio: Received;
  video: Received;
  /** The m-sections the answer accepted (port ≠ 0), by kind. */
  answered: { audio: boolean; video: boolean };
  connected(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

function received(): Received {
  return { packets: [], srs: [], bytes: 0 };
}

/** Plays `url` (the server's WHEP endpoint) with a werift peer connection. */
export async function whepWerift(url: string): Promise<WeriftWhep> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { audio: [useOPUS()], video: [useH264()] },
  });
  const audio = received(), video = received();
  for (const kind of ["video", "audio"] as const) {
    const t = pc.addTransceiver(kind, { direction: "recvonly" });
    const into = kind === "audio" ? audio : video;
    t.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((packet) => {
        into.packets.push({ at: performance.now(), packet });
        into.bytes += packet.payload.byteLength;
      })
    );
    t.receiver.onRtcp.subscribe((p) => {
      if (!(p instanceof RtcpSrPacket)) return;
      const ntp = p.senderInfo.ntpTimestamp;
      into.srs.push({
        ntp: Number(ntp >> 32n) + Number(ntp & 0xffffffffn) / 2 ** 32,
        rtp: p.senderInfo.rtpTimestamp,
      });
    });
  }
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/sdp" },
    body: pc.localDescription!.sdp,
  });
  const body = await res.text();
  const answered = { audio: false, video: false };
  if (res.status === 201) {
    for (const m of body.matchAll(/^m=(audio|video) (\d+)/gm)) {
      answered[m[1] as "audio" | "video"] = m[2] !== "0";
    }
    await pc.setRemoteDescription({ type: "answer", sdp: body });
  }
  const location = res.status === 201 ? new URL(res.headers.get("location")!, url).toString() : "";
  return {
    status: res.status,
    error: res.status === 201 ? "" : body,
    audio,
    video,
    answered,
    async connected(timeoutMs: number) {
      const end = Date.now() + timeoutMs;
      while (pc.connectionState !== "connected") {
        if (Date.now() > end) {
          throw new Error(`WHEP viewer not connected within ${timeoutMs} ms: ${pc.connectionState}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      if (location) await fetch(location, { method: "DELETE" }).then((r) => r.body?.cancel()).catch(() => {});
      await pc.close();
    },
  };
}
