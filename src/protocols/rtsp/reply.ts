/** Replies to requests: typed errors → RTSP statuses, and which SDP media a SETUP names. */
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  EstuaryError,
  NotFoundError,
  ProtocolError,
  StreamBusyError,
} from "../../core/errors.ts";
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
 * Admission and protocol errors → status: busy 455 "Stream Busy" (the key's state forbids a
 * second publisher), auth callback denial 403 (credentials would not help), unknown app or stream
 * 404, unsafe names and malformed input 400, anything unexpected 500 (logged as an error).
 */
export function errorReply(log: Logger, req: RtspRequest, err: unknown): Reply {
  const message = (err as Error)?.message ?? String(err);
  let status = 500;
  let reason: string | undefined;
  if (err instanceof RtspError) status = err.status;
  else if (err instanceof StreamBusyError) (status = 455, reason = "Stream Busy");
  else if (err instanceof AuthError) status = 403;
  else if (err instanceof AppNotAllowedError || err instanceof NotFoundError) status = 404;
  else if (err instanceof BadNameError || err instanceof ProtocolError) status = 400;
  else if (!(err instanceof EstuaryError)) {
    log.error("rtsp internal error", { method: req.method, error: err });
  }
  log.info("rtsp request refused", { method: req.method, uri: req.uri, status, error: message });
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
