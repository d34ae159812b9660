/**
 * A recording server in its own process, for the kill -9 test (tests/rec_record_test.ts): an RTMP
 * server on a free port whose rec app is recorded under <root>. Prints the port, then runs until
 * killed. Not a test by itself. Usage: deno run -A tests/rec_child.ts <root>
 */
import { nullLogger } from "../src/log/mod.ts";
import { createRecorder } from "../src/record/mod.ts";
import { testHub } from "./support/mod.ts";
import { startRtmp } from "./hls_support.ts";

const [root] = Deno.args;
const hub = testHub();
const rec = createRecorder({ hub, log: nullLogger, root, recmode: 1, recdurationMin: 10, segmentMs: 1000 });
await rec.start();
const rtmp = await startRtmp(hub);
console.log(`port ${rtmp.port}`);
