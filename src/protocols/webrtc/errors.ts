/** WebRTC's own refusals; the HTTP routes map their codes to statuses (docs/api.md). */
import { EstuaryError } from "../../core/mod.ts";

/** The offer and the stream share no codec: nothing could be sent (HTTP 406). */
export class NoCommonCodecError extends EstuaryError {
  constructor(key: string, why: readonly string[]) {
    super("no_common_codec", `stream ${key} has nothing the offer can receive: ${why.join("; ")}`);
  }
}

/** An SDP body that is not an offer we can answer, or a candidate fragment we cannot read (HTTP 400). */
export class BadOfferError extends EstuaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("bad_offer", message, options);
  }
}

/** Every UDP port window of `<rtp min max>` is in use (HTTP 503). */
export class NoPortError extends EstuaryError {
  constructor(min: number, max: number) {
    super("no_port", `no free UDP ports left in ${min}..${max} for another WebRTC session (<rtp min max>)`);
  }
}

/** The WebRTC library (loaded on the first session) could not be loaded (HTTP 503). */
export class WebrtcUnavailableError extends EstuaryError {
  constructor(cause: unknown) {
    super(
      "webrtc_unavailable",
      `WebRTC is unavailable: its library failed to load (${(cause as Error)?.message ?? cause})`,
      { cause },
    );
  }
}
