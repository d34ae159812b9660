/** dash.js as a classic script, loaded on demand. */
import * as dashjs from "dashjs";
(globalThis as unknown as { dashjs: typeof dashjs }).dashjs = dashjs;
