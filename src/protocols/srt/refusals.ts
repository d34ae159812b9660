/**
 * Refusals → SRT rejection codes: the one table from the core's error codes to the libsrt
 * access-control code (SRT_REJX_*, 1000 + an HTTP-like status) a caller is rejected with, so
 * clients exit cleanly with a reason. docs/api.md (Refusals) shows it beside RTMP, RTSP and HTTP.
 */
import { type ErrorCode, errorCode } from "../../core/errors.ts";
import { RejectReason } from "./handshake.ts";

export const SRT_REFUSALS: Readonly<Record<ErrorCode, number>> = {
  auth_denied: RejectReason.Forbidden,
  stream_busy: RejectReason.Conflict,
  not_found: RejectReason.NotFound,
  app_not_allowed: RejectReason.Forbidden,
  bad_name: RejectReason.BadRequest,
  forward_loop: RejectReason.Forbidden,
  protocol: RejectReason.BadRequest,
  config: RejectReason.ServerError,
};

/** The rejection code for `err`; anything that is not a core error is the server's fault (1500). */
export function rejectionFor(err: unknown): number {
  const code = errorCode(err);
  return code ? SRT_REFUSALS[code] : RejectReason.ServerError;
}
