/** The HTTP front: our own HTTP/1.1 and WebSocket on raw sockets, feeding the Hono app. */
export {
  type FrontEnv,
  type FrontFetch,
  type FrontLimits,
  type HotRequest,
  type HotRoute,
  serveConnection,
} from "./connection.ts";
export { httpDate, statusLine } from "./response_writer.ts";
export { ConnTable, FrontListener, type ListenSpec } from "./listener.ts";
export { FrontWebSocket } from "./ws_socket.ts";
export { HttpFrontError } from "./errors.ts";
export { LiveBody } from "./live_body.ts";
