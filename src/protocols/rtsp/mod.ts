/** RTSP 1.0 / RTSPS: server (publish and play over TCP interleaved or UDP) and client (pull). */
export {
  createRtspServer,
  type RtspReloadable,
  type RtspServer,
  type RtspServerOptions,
  type RtspServerStats,
  type RtspSessionState,
} from "./server.ts";
export { RtspError, RtspHeaders, RtspParser, serializeRequest, serializeResponse } from "./message.ts";
export type { RtspItem, RtspRequest, RtspResponse } from "./message.ts";
export { formatTransport, parseTransport, type TransportSpec } from "./transport.ts";
export { contentBase, matchControl, parseRtspUrl, resolveControl, type RtspTarget } from "./url.ts";
export { authorization, RtspAuthenticator } from "./auth.ts";
export { pullRtsp, RtspClient, type RtspClientOptions } from "./client.ts";
export { rtspService, type RtspSettings, rtspSettings } from "./service.ts";
