/**
 * HSv5 conclusion contents (draft-sharabayko-srt §4.3.1.2): what a caller's CONCLUSION asks for,
 * whether a listener can accept it, and how latency and flags are agreed (the larger latency wins).
 */
import {
  decodeHsReq,
  decodeStringExt,
  ExtType,
  type HsReq,
  LIVE_FLAGS,
  MAX_SID_LENGTH,
  MIN_HSV5_VERSION,
  SRT_VERSION,
  SrtFlag,
} from "./extensions.ts";
import type { Handshake } from "./handshake.ts";
import { ExtFlag, RejectReason } from "./handshake.ts";

export const DEFAULT_MTU = 1500;
export const DEFAULT_FLOW_WINDOW = 8192;

/** What a caller's CONCLUSION carries, once checked. */
export interface ConclusionRequest {
  hsReq: HsReq;
  streamId: string;
  /** Raw KM message from KMREQ (undefined when the caller is not encrypting). */
  km: Uint8Array | undefined;
}

/** A handshake we refuse, with the libsrt reason code to answer with. */
export class Refusal {
  constructor(readonly reason: number, readonly message: string) {}
}

/** Validates an HSv5 CONCLUSION request; returns its contents or the reason to reject it. */
export function readConclusion(hs: Handshake): ConclusionRequest | Refusal {
  if (hs.version !== 5) {
    return new Refusal(
      RejectReason.Version,
      `handshake version ${hs.version} is not supported: must be 5 (HSv5)`,
    );
  }
  if (hs.extensionField === 0) return new Refusal(RejectReason.Rogue, "HSv5 conclusion without extensions");
  let hsReq: HsReq | undefined;
  let streamId = "";
  let km: Uint8Array | undefined;
  for (const e of hs.extensions) {
    switch (e.type) {
      case ExtType.HsReq:
        if (e.data.length < 12) {
          return new Refusal(RejectReason.Rogue, `HSREQ of ${e.data.length} bytes: must be 12`);
        }
        hsReq = decodeHsReq(e.data);
        break;
      case ExtType.Sid:
        streamId = decodeStringExt(e.data);
        if (streamId.length === 0 || e.data.length > MAX_SID_LENGTH) {
          return new Refusal(RejectReason.Rogue, `stream id of ${e.data.length} bytes: must be 1..512`);
        }
        break;
      case ExtType.KmReq:
        km ??= e.data.slice();
        break;
      case ExtType.Congestion: {
        const cc = decodeStringExt(e.data);
        if (cc !== "live") {
          return new Refusal(RejectReason.Congestion, `congestion control "${cc}": only "live"`);
        }
        break;
      }
      case ExtType.Filter:
        return new Refusal(RejectReason.Filter, "packet filters (FEC) are not supported");
      default:
        break; // GROUP and unknown extensions are skipped, as libsrt does
    }
  }
  if (!hsReq) return new Refusal(RejectReason.Rogue, "HSv5 conclusion without HSREQ");
  if (hsReq.version < MIN_HSV5_VERSION) {
    return new Refusal(RejectReason.Rogue, `SRT version 0x${hsReq.version.toString(16)} is too old for HSv5`);
  }
  if (hsReq.flags & SrtFlag.Stream) {
    return new Refusal(RejectReason.MessageApi, "stream (file) mode is not supported: live mode only");
  }
  if ((hs.extensionField & ExtFlag.KmReq) && !km) {
    return new Refusal(RejectReason.Rogue, "KMREQ flag without KM");
  }
  return { hsReq, streamId, km };
}

export interface Agreement {
  /** TSBPD delay (ms) for what we receive, and for what the peer receives. */
  recvLatencyMs: number;
  peerLatencyMs: number;
  tooLateDrop: boolean;
  peerNakReport: boolean;
}

/** The listener's side of latency negotiation: each direction takes the larger proposal. */
export function agree(req: HsReq, latencyMs: number): Agreement {
  return {
    recvLatencyMs: Math.max(latencyMs, req.sendDelayMs),
    peerLatencyMs: Math.max(latencyMs, req.recvDelayMs),
    tooLateDrop: (req.flags & SrtFlag.TlPktDrop) !== 0,
    peerNakReport: (req.flags & SrtFlag.NakReport) !== 0,
  };
}

/** HSRSP for an agreement (TSBPDSND only when the caller receives with TSBPD). */
export function responseHsReq(req: HsReq, a: Agreement): HsReq {
  const flags = req.flags & SrtFlag.TsbpdRcv ? LIVE_FLAGS : LIVE_FLAGS & ~SrtFlag.TsbpdSnd;
  return { version: SRT_VERSION, flags, recvDelayMs: a.recvLatencyMs, sendDelayMs: a.peerLatencyMs };
}

/** The caller's HSREQ: it wants `latencyMs` both ways. */
export function requestHsReq(latencyMs: number): HsReq {
  return { version: SRT_VERSION, flags: LIVE_FLAGS, recvDelayMs: latencyMs, sendDelayMs: latencyMs };
}

/** The caller's side: adopts the listener's HSRSP. */
export function adopt(rsp: HsReq): Agreement {
  return {
    recvLatencyMs: rsp.sendDelayMs,
    peerLatencyMs: rsp.recvDelayMs,
    tooLateDrop: (rsp.flags & SrtFlag.TlPktDrop) !== 0,
    peerNakReport: (rsp.flags & SrtFlag.NakReport) !== 0,
  };
}

/** Handshake Encryption Field for a key length (0 when not encrypting). */
export function cipherCode(keyLength: number): number {
  return keyLength ? keyLength / 8 : 0;
}
