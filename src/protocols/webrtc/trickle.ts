/**
 * Trickle ICE for WHIP/WHEP (RFC 8840 SDP fragments, `application/trickle-ice-sdpfrag`, sent with
 * PATCH): the candidates of a fragment, each with the media section (mid) it belongs to.
 */
import { BadOfferError } from "./errors.ts";

export interface TrickleCandidate {
  /** `candidate:…` without the `a=`. */
  candidate: string;
  sdpMid: string | undefined;
  sdpMLineIndex: number;
}

/** A fragment is a few hundred bytes; anything far larger is not one. */
const MAX_FRAGMENT = 16 * 1024;
const MAX_CANDIDATES = 64;

/** The candidates of a fragment; `a=end-of-candidates` and the ICE credentials carry nothing we need. */
export function parseTrickleFragment(body: string): TrickleCandidate[] {
  if (body.length > MAX_FRAGMENT) {
    throw new BadOfferError(
      `trickle ICE fragment of ${body.length} bytes is invalid: must be at most ${MAX_FRAGMENT}`,
    );
  }
  const out: TrickleCandidate[] = [];
  let mid: string | undefined;
  let index = -1;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("m=")) index++;
    else if (line.startsWith("a=mid:")) mid = line.slice(6);
    else if (line.startsWith("a=candidate:")) {
      const candidate = line.slice(2);
      if (!/^candidate:\S+ \d+ (udp|tcp) \d+ \S+ \d+ typ \w+/i.test(candidate)) {
        throw new BadOfferError(
          `trickle ICE candidate "${candidate.slice(0, 80)}" is invalid: must follow RFC 8839 5.1`,
        );
      }
      out.push({ candidate, sdpMid: mid, sdpMLineIndex: Math.max(0, index) });
      if (out.length > MAX_CANDIDATES) {
        throw new BadOfferError(`trickle ICE fragment with over ${MAX_CANDIDATES} candidates is invalid`);
      }
    }
  }
  return out;
}
