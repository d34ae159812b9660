export { createHttpApp, type Feature, FEATURES, type HttpApp } from "./app.ts";
export { createHttpServer, type HttpServer, type HttpServerOptions } from "./server.ts";
export {
  defaultHttpOptions,
  type HttpDeps,
  type HttpOptions,
  type PublicUrl,
  type ServerStatus,
  type ServiceStatus,
} from "./deps.ts";
export { LiveSessions } from "./live_sessions.ts";
export { serveFile, type StaticOptions } from "./static.ts";
export { contentType } from "./mime.ts";
export { remoteAddr, requestHost } from "./request.ts";
export { admissionStatus, HTTP_REFUSALS } from "./refusals.ts";
export { type Endpoint, type PublicEndpoints, publicUrlsFrom } from "./public_urls.ts";
export { httpService, type HttpSettings, httpSettings } from "./service.ts";
