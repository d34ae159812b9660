import assert from "node:assert/strict";
import { parsePolicy } from "../config/mod.ts";
import { Hub } from "../core/mod.ts";
import { createLogger, MemorySink } from "../log/mod.ts";
import { Forwards, type ForwardsOptions } from "./forwards.ts";

/** A port nothing listens on: every attempt is refused at once, so no forward leaves "retrying". */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const policyOf = (rules: [string, string][]) =>
  parsePolicy(
    `<policy><urls>${
      rules.map(([name, target]) => `<url name="${name}"><forward rewrite="">${target}</forward></url>`).join(
        "",
      )
    }</urls></policy>`,
  ).policy;

Deno.test("forwards: started on publish, reconciled on update (new start, removed stop, unchanged kept), stopped at stream end", async () => {
  const sink = new MemorySink(1000);
  const log = createLogger({ level: "debug", sinks: [sink] });
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
  const p1 = `127.0.0.1:${closedPort()}`, p2 = `127.0.0.1:${closedPort()}`;
  const opts = (rules: [string, string][]): ForwardsOptions => ({
    policy: policyOf(rules),
    reconnectMs: 60_000,
    timeoutMs: 1000,
    tls: {},
    ownHost: "me.example",
  });
  const fw = new Forwards({ hub, log, opts: opts([["rtmp://a.com/live/x", p1]]) });
  fw.start();
  const pub = (name: string, vhost: string) =>
    hub.publish({ role: "publisher", protocol: "srt", app: "live", name, vhost, query: "" });
  const x = await pub("x", "a.com");
  const y = await pub("y", "");
  const targets = () => fw.stats().forwards.map((f) => `${f.key}>${f.target}`).sort();
  assert.deepEqual(targets(), [`live/x>${p1}`]);
  // tracksReady waits for media; end the wait so the attempt is made (and refused).
  x.expectTracks({ video: false, audio: false });
  y.expectTracks({ video: false, audio: false });
  await new Promise((r) => setTimeout(r, 300));
  const first = fw.stats().forwards[0];
  assert.equal(first.state, "retrying");
  assert.match(first.error ?? "", /refused|connect/i);

  // Reload: x keeps p1 (same forwarder, its state untouched) and gains p2; y (no host: me.example) starts.
  fw.update(
    opts([["rtmp://a.com/live/x", p1], ["rtmp://a.com/live/x", p2], ["rtmp://me.example/live/y", p1]]),
  );
  assert.deepEqual(targets(), [`live/x>${p1}`, `live/x>${p2}`, `live/y>${p1}`].sort());
  assert.equal(fw.stats().forwards.find((f) => f.target === p1 && f.key === "live/x")?.since, first.since);
  // Reload: p1's rule for x removed.
  fw.update(opts([["rtmp://a.com/live/x", p2], ["rtmp://me.example/live/y", p1]]));
  assert.deepEqual(targets(), [`live/x>${p2}`, `live/y>${p1}`].sort());
  assert.ok(
    sink.lines.some((l) => l.includes("forward stopped") && l.includes('why="forward rule removed"')),
  );
  // The stream ends: its forwards stop.
  y.end("unpublished");
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(targets(), [`live/x>${p2}`]);
  fw.close();
  assert.deepEqual(targets(), []);
  x.end();
  hub.close();
  await new Promise((r) => setTimeout(r, 50));
});
