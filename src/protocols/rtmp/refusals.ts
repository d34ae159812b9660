/**
 * Refusals → RTMP status codes: the one table from the core's error codes to what an RTMP peer is
 * told, per command it was refused at. docs/api.md (Refusals) shows it beside RTSP, SRT and HTTP.
 */
import { type ErrorCode, errorCode } from "../../core/errors.ts";
import { Status } from "./commands.ts";

/** The command a refusal answers: connect (`_error`), publish or play (`onStatus`). */
export type RtmpStep = "connect" | "publish" | "play";

/**
 * `null`: no status the peer could act on (malformed input, a server fault): the connection is
 * closed and the cause logged. FMS has no "busy" or "forbidden" code for play, so players get
 * Play.Failed with the reason in the description.
 */
export const RTMP_REFUSALS: Readonly<Record<ErrorCode, Readonly<Record<RtmpStep, string | null>>>> = {
  auth_denied: {
    connect: Status.connectRejected,
    publish: Status.publishUnauthorized,
    play: Status.playFailed,
  },
  stream_busy: { connect: Status.connectRejected, publish: Status.publishBadName, play: Status.playFailed },
  not_found: {
    connect: Status.connectRejected,
    publish: Status.publishBadName,
    play: Status.playStreamNotFound,
  },
  app_not_allowed: {
    connect: Status.connectRejected,
    publish: Status.publishBadName,
    play: Status.playFailed,
  },
  bad_name: { connect: Status.connectRejected, publish: Status.publishBadName, play: Status.playFailed },
  forward_loop: {
    connect: Status.connectRejected,
    publish: Status.publishBadName,
    play: Status.playFailed,
  },
  protocol: { connect: null, publish: null, play: null },
  config: { connect: null, publish: null, play: null },
};

/** The status code for `err` at `step`, or null when the connection is just closed. */
export function rtmpRefusal(err: unknown, step: RtmpStep): string | null {
  const code = errorCode(err);
  return code ? RTMP_REFUSALS[code][step] : null;
}
