// Test-only helpers for the metrics unit tests (not exported from mod.ts).
import { Hub, type Stream } from "../core/mod.ts";

export function testHub(): Hub {
  return new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
}

export function publish(hub: Hub, name: string): Promise<Stream> {
  return hub.publish({ role: "publisher", protocol: "rtmp", app: "live", name, vhost: "h", query: "" });
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
