/**
 * SRT (draft-sharabayko-srt) in TypeScript on Deno.listenDatagram: HSv5 listener and caller,
 * live mode (TSBPD, too-late drop, ACK/NAK/ACKACK, retransmission), AES-CTR encryption with key
 * refresh, stream id routing, and MPEG-TS publish/play through the hub.
 *
 * Stream ids: `#!::r=app/name,m=publish|request` (m defaults to request), smart_rtmpd's
 * `host:port/app/name,role=publisher|player`, or a bare `app/name` (a play request).
 */
export {
  createSrtServer,
  type SrtConnState,
  type SrtReloadable,
  type SrtServer,
  type SrtServerOptions,
  type SrtServerStats,
  type SrtSessionInfo,
} from "./server.ts";
export { rejectionFor, SRT_REFUSALS } from "./refusals.ts";
export { type CallerOptions, connectSrt, SrtCaller, SrtRejectedError } from "./caller.ts";
export { SrtConnection, type SrtStats } from "./connection.ts";
export { type Admission, type ConnectRequest, type ListenerOptions, SrtListener } from "./listener.ts";
export { parseStreamId, type StreamMode, type StreamRoute } from "./streamid.ts";
export { RejectReason, rejectReasonText } from "./handshake.ts";
export { SRT_FANOUT_ID } from "./player.ts";
export { srtService, type SrtSettings, srtSettings } from "./service.ts";
