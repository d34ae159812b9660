import assert from "node:assert/strict";
import {
  mergeLive,
  mergeMetricsText,
  mergeStatistics,
  mergeStreams,
  type WorkerAnswer,
} from "./aggregate.ts";

const q = (s: string) => new URLSearchParams(s);

Deno.test("mergeLive: the list is the union; a stream relayed to both workers is listed once", () => {
  const answers: WorkerAnswer[] = [
    { worker: 0, status: 200, body: { stream: ["rtmp://h/live/a", "rtmp://h/live/b"] } },
    { worker: 1, status: 200, body: { stream: ["rtmp://h/live/a"] } },
  ];
  assert.deepEqual(mergeLive(q(""), answers), {
    status: 200,
    body: { stream: ["rtmp://h/live/a", "rtmp://h/live/b"] },
  });
});

Deno.test("mergeLive: cmd=count sums the players of every worker; no worker has it: 404", () => {
  const answers: WorkerAnswer[] = [
    { worker: 0, status: 200, body: { count: { rtmp: 2, "http-flv": 1 }, total: 3 } },
    { worker: 1, status: 200, body: { count: { rtmp: 1, hls: 4 }, total: 5 } },
  ];
  assert.deepEqual(mergeLive(q("app=live&name=a&cmd=count"), answers).body, {
    count: { rtmp: 3, "http-flv": 1, hls: 4 },
    total: 8,
  });
  const none: WorkerAnswer[] = [
    { worker: 1, status: 404, body: { code: 404, msg: "stream live/x is not live" } },
    { worker: 0, status: 404, body: { code: 404, msg: "stream live/x is not live" } },
  ];
  assert.equal(mergeLive(q("app=live&name=x&cmd=count"), none).status, 404);
});

Deno.test("mergeLive: a stream's details come from its publisher's worker", () => {
  const answers: WorkerAnswer[] = [
    { worker: 0, status: 200, body: { app: { from: "rtmp(relay)" } } },
    { worker: 1, status: 200, body: { app: { from: "rtmp" } } },
  ];
  assert.deepEqual(mergeLive(q("app=live&name=a"), answers, 1).body, { app: { from: "rtmp" } });
  assert.deepEqual(mergeLive(q("app=live&name=a"), answers, undefined).body, {
    app: { from: "rtmp(relay)" },
  });
});

Deno.test("mergeStreams: one entry per stream (the publisher's), players summed", () => {
  const entry = (from: string, rtmp: number) => ({
    app: "live",
    name: "a",
    from,
    players: { count: { rtmp }, total: rtmp },
  });
  const answers: WorkerAnswer[] = [
    { worker: 0, status: 200, body: { streams: [entry("relay", 2)] } },
    { worker: 1, status: 200, body: { streams: [entry("publisher", 3)] } },
  ];
  const m = mergeStreams(answers, () => 1);
  assert.deepEqual(m.body, { streams: [{ ...entry("publisher", 5) }] });
});

Deno.test("mergeStatistics: each worker's samples, labelled with the worker", () => {
  const fam = (v: number) => ({
    metrics: {
      paths_readers: { type: "gauge", help: "Players", samples: [{ labels: { name: "live/a" }, value: v }] },
    },
  });
  const m = mergeStatistics([{ worker: 0, status: 200, body: fam(2) }, {
    worker: 1,
    status: 200,
    body: fam(3),
  }], new Date(0));
  assert.deepEqual(m.body, {
    time: "1970-01-01T00:00:00.000Z",
    metrics: {
      paths_readers: {
        type: "gauge",
        help: "Players",
        samples: [
          { labels: { name: "live/a", worker: "0" }, value: 2 },
          { labels: { name: "live/a", worker: "1" }, value: 3 },
        ],
      },
    },
  });
});

Deno.test("mergeMetricsText: each family once, every sample with its worker label", () => {
  const text = (n: number) =>
    [
      "# HELP paths_readers Players.",
      "# TYPE paths_readers gauge",
      `paths_readers{name="live/a",state="ready"} ${n}`,
      "# HELP process_cpu_seconds_total CPU.",
      "# TYPE process_cpu_seconds_total counter",
      `process_cpu_seconds_total ${n / 10}`,
      "",
    ].join("\n");
  assert.equal(
    mergeMetricsText([{ worker: 0, text: text(2) }, { worker: 1, text: text(3) }]),
    [
      "# HELP paths_readers Players.",
      "# TYPE paths_readers gauge",
      `paths_readers{worker="0",name="live/a",state="ready"} 2`,
      `paths_readers{worker="1",name="live/a",state="ready"} 3`,
      "# HELP process_cpu_seconds_total CPU.",
      "# TYPE process_cpu_seconds_total counter",
      `process_cpu_seconds_total{worker="0"} 0.2`,
      `process_cpu_seconds_total{worker="1"} 0.3`,
      "",
    ].join("\n"),
  );
});
