/**
 * The runtime's floor for taking one stream in: a bare Deno TCP server that reads every byte a
 * publisher sends (ffmpeg's FLV over tcp://) and does nothing with it. Its CPU is what any server
 * written on this runtime pays per read before its own code runs. On exit (SIGTERM) it prints
 * `{"reads":N,"bytes":N}` to stdout.
 *
 *   deno run -A bench/read_floor.ts --port 29400
 */
import { arg } from "./args.ts";

const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(arg("port")) });
let reads = 0, bytes = 0;
Deno.addSignalListener("SIGTERM", () => {
  console.log(JSON.stringify({ reads, bytes }));
  Deno.exit(0);
});
for await (const conn of listener) {
  (async () => {
    // The size Estuary's RTMP reader grows to for a publisher.
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        reads++;
        bytes += n;
      }
    } catch { /* the publisher went away */ }
    conn.close();
  })();
}
