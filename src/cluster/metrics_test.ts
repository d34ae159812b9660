import assert from "node:assert/strict";
import { checkFamily, renderText } from "../metrics/mod.ts";
import { pullMetrics } from "./metrics.ts";
import type { PullStats } from "./pulls.ts";

const pull = (name: string, state: PullStats["state"], restarts: number): PullStats => ({
  name,
  source: "rtsp://cam/s",
  ondemand: state === "idle",
  state,
  since: 0,
  restarts,
});

Deno.test("pull metrics: pulls counted by state (every state listed, zero included) and restarts summed", () => {
  const families = pullMetrics([
    pull("live/a", "pulling", 2),
    pull("live/b", "pulling", 0),
    pull("live/c", "retrying", 5),
    pull("live/d", "idle", 0),
  ]);
  families.forEach(checkFamily);
  const text = renderText(families);
  assert.match(text, /^estuary_pulls\{state="pulling"\} 2$/m);
  assert.match(text, /^estuary_pulls\{state="retrying"\} 1$/m);
  assert.match(text, /^estuary_pulls\{state="idle"\} 1$/m);
  assert.match(text, /^estuary_pulls\{state="connecting"\} 0$/m);
  assert.match(text, /^estuary_pulls\{state="stopped"\} 0$/m);
  assert.match(text, /^# TYPE estuary_pull_restarts_total counter$/m);
  assert.match(text, /^estuary_pull_restarts_total 7$/m);
});
