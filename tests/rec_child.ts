/**
 * A recorder in its own process, for the kill -9 test (tests/rec_record_test.ts): replays an FLV
 * file into a hub at real time under rec/<name> and records it. Not a test by itself.
 * Usage: deno run -A tests/rec_child.ts <root> <flv file> <name>
 */
import { nullLogger } from "../src/log/mod.ts";
import { createRecorder } from "../src/record/mod.ts";
import { testHub } from "./support/mod.ts";
import { replayFlv } from "./http_support.ts";

const [root, flvPath, name] = Deno.args;
const hub = testHub();
const rec = createRecorder({ hub, log: nullLogger, root, recmode: 1, recdurationMin: 10, segmentMs: 1000 });
await rec.start();
const pub = await replayFlv(hub, await Deno.readFile(flvPath), { app: "rec", name });
console.log("publishing");
await pub.done;
await rec.close();
hub.close();
