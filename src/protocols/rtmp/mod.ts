/** RTMP and RTMPS: the server (publish and play), our client, and the wire pieces they share. */
export {
  createRtmpServer,
  type RtmpConnState,
  type RtmpReloadable,
  type RtmpServer,
  type RtmpServerOptions,
  type RtmpServerStats,
} from "./server.ts";
export { type PublishOptions, RtmpClient, type RtmpClientOptions } from "./client.ts";
export { parseRtmpUrl, type RtmpUrl } from "./url.ts";
export { chooseForm, clientFourCcs, Playback, rtmpFanout } from "./output.ts";
export { PLAY_STREAM_ID, RtmpMuxer, type RtmpMuxerOptions } from "./muxer.ts";
export { chunkMessage, ChunkReader, type OutgoingMessage, type RtmpMessage } from "./chunk_stream.ts";
export { clientHello, clientResponse, serverHandshake } from "./handshake.ts";
export { Csid, MessageType, UserControl } from "./messages.ts";
export { parseCommand, Status } from "./commands.ts";
export { rtmpService, type RtmpSettings, rtmpSettings } from "./service.ts";
export { RELAY_PROPERTY, VIA_PROPERTY, viaOf, viaValue } from "./via.ts";
