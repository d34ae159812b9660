/**
 * CORS is open (players such as hls.js, dash.js and flv.js are often served from other origins).
 * The app's middleware and the prebuilt hot responses add the same fields.
 */
import { WEBRTC_EXPOSE_HEADERS } from "./whep.ts";

/** Response headers a cross-origin script may read. */
export const EXPOSE_HEADERS: readonly string[] = [
  "Content-Length",
  "Content-Range",
  ...WEBRTC_EXPOSE_HEADERS,
];

/** What the CORS middleware adds to a simple (non-preflight) response, for prebuilt responses. */
export const CORS_FIELDS: readonly (readonly [string, string])[] = [
  ["access-control-allow-origin", "*"],
  ["access-control-expose-headers", EXPOSE_HEADERS.join(",")],
];
