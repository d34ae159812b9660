/** hls.js as a classic script: the player loads it only when HLS is chosen. */
import Hls from "hls.js";
(globalThis as unknown as { Hls: typeof Hls }).Hls = Hls;
