/**
 * The signalling steps a WHEP viewer and a WHIP publisher share: reading the client's offer, the
 * werift guards and the wait for candidates between setting the answer and sending it, and the
 * trickled candidates of a PATCH.
 */
import type { RTCPeerConnection } from "werift";
import { parseSdp, type Sdp } from "../../formats/sdp/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { BadOfferError } from "./errors.ts";
import { hostAddresses, keepCandidates } from "./ice.ts";
import { gathered, guardDtlsRetransmits, guardDtlsServerKeyExchange } from "./peer.ts";
import type { WebrtcSettings } from "./settings.ts";
import { parseTrickleFragment } from "./trickle.ts";

/** The offer, or BadOfferError naming what is wrong with it. */
export function readOffer(offerSdp: string): Sdp {
  try {
    return parseSdp(offerSdp);
  } catch (err) {
    throw new BadOfferError(`SDP offer is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Sets the offer and the answer on `pc`, guards werift's DTLS against lost and repeated flights,
 * and waits (≤ 2 s) for the host candidates; `beforeGathering` runs in between (e.g. SRTP set-up).
 */
export async function answerOn(
  pc: RTCPeerConnection,
  offerSdp: string,
  log: Logger,
  beforeGathering?: () => void,
): Promise<void> {
  await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
  await pc.setLocalDescription(await pc.createAnswer());
  guardDtlsRetransmits(pc, (types) => log.debug("webrtc duplicate DTLS flight 4 dropped", { types }));
  // werift as DTLS server (a client that offers a=setup:active) survives a lost flight 5 message.
  guardDtlsServerKeyExchange(pc);
  beforeGathering?.();
  await gathered(pc, 2000);
}

/** The answer SDP to send: werift's, with only the candidates of the addresses we serve on. */
export function answerSdp(pc: RTCPeerConnection, s: WebrtcSettings): string {
  return keepCandidates(pc.localDescription!.sdp, hostAddresses(s.listenHost, s.natHost));
}

/** Adds a PATCH body's trickled candidates; returns how many it had. */
export async function addTrickled(pc: RTCPeerConnection, fragment: string, log: Logger): Promise<number> {
  const list = parseTrickleFragment(fragment);
  for (const c of list) {
    await pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex })
      .catch((err) => log.debug("webrtc candidate ignored", { err }));
  }
  return list.length;
}
