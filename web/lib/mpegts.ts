/** mpegts.js (HTTP-FLV and WS-FLV) as a classic script, loaded on demand. */
import mpegts from "mpegts.js";
(globalThis as unknown as { mpegts: typeof mpegts }).mpegts = mpegts;
