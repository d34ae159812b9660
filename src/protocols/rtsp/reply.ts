/** Replies to requests: typed errors → RTSP statuses, and which SDP media a SETUP names. */
import { type ErrorCode, errorCode } from "../../core/errors.ts";
import type { Logger } from "../../log/mod.ts";
import { RtspError, type RtspRequest } from "./message.ts";
import { matchControl, parseRtspUrl } from "./url.ts";

/** A reply: status, extra headers, body. */
export interface Reply {
  status: number;
  reason?: string;
  headers?: [string, string][];
  body?: string;
  contentType?: string;
}

/**
 * Refusals → RTSP status (docs/api.md, Refusals). A busy key is 455 "Stream Busy": its state
 * forbids a second publisher. An auth callback denial is 403, not 401: RTSP credentials would not
 * help (401 is for the server's own `users`). An app that is not allowed is 403, as on HTTP.
 */
export const RTSP_REFUSALS: Readonly<Record<ErrorCode, { status: number; reason?: string }>> = {
  auth_denied: { status: 403 },
  stream_busy: { status: 455, reason: "Stream Busy" },
  not_found: { status: 404 },
  app_not_allowed: { status: 403 },
  bad_name: { status: 400 },
  forward_loop: { status: 403 },
  protocol: { status: 400 },
  config: { status: 500 },
};

/** Errors → a reply: RtspError carries its own status; anything unknown is 500 and logged as an error. */
export function errorReply(log: Logger, req: RtspRequest, err: unknown): Reply {
  const message = (err as Error)?.message ?? String(err);
  let status = 500;
  let reason: string | undefined;
  const code = errorCode(err);
  if (err instanceof RtspError) status = err.status;
  else if (code) ({ status, reason } = RTSP_REFUSALS[code]);
  else log.error("rtsp internal error", { method: req.method, error: err });
  // The URI without its query and credentials: a token there is the client's secret.
  const uri = req.uri.replace(/\/\/[^@/]*@/, "//").replace(/\?.*$/, "");
  log.info("rtsp request refused", { method: req.method, uri, status, error: message });
  return { status, reason, body: message + "\n", contentType: "text/plain" };
}

/** Which SDP media a SETUP URL names; 459 for the aggregate URL of a multi-track session. */
export function trackIndex(uri: string, base: string, controls: string[]): number {
  const i = matchControl(uri, base, controls);
  if (i >= 0) return i;
  const t = parseRtspUrl(uri);
  const m = /^(?:trackID|streamid|stream|track)=(\d+)$/i.exec(t.control);
  if (m && Number(m[1]) < controls.length) return Number(m[1]);
  if (t.control === "") {
    if (controls.length === 1) return 0;
    throw new RtspError(459, "RTSP SETUP on the aggregate URL of a multi-track stream is not allowed");
  }
  throw new RtspError(404, `RTSP SETUP URL "${uri}" names no track (controls: ${controls.join(", ")})`);
}
