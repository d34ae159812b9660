import assert from "node:assert/strict";
import { escapeHelp, escapeLabelValue, formatValue, renderText } from "./text_format.ts";
import type { MetricFamily } from "./family.ts";

Deno.test("label values escape backslash, double quote and line feed, and nothing else", () => {
  const cases: [string, string][] = [
    ["live/cam1", "live/cam1"],
    ['a"b', 'a\\"b'],
    ["a\\b", "a\\\\b"],
    ["a\nb", "a\\nb"],
    ['\\"\n', '\\\\\\"\\n'],
    ["tab\there é", "tab\there é"],
  ];
  for (const [raw, want] of cases) assert.equal(escapeLabelValue(raw), want, JSON.stringify(raw));
});

Deno.test("help text escapes backslash and line feed but keeps double quotes", () => {
  assert.equal(escapeHelp('say "hi"\\now\nok'), 'say "hi"\\\\now\\nok');
});

Deno.test("values use the format's spellings", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [42, "42"],
    [1.5, "1.5"],
    [-3, "-3"],
    [1e21, "1e+21"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ];
  for (const [v, want] of cases) assert.equal(formatValue(v), want);
});

Deno.test("renderText writes one HELP/TYPE block per family, then its samples", () => {
  const families: MetricFamily[] = [
    {
      name: "paths",
      help: "Live streams.",
      type: "gauge",
      samples: [
        { labels: { name: "live/a", state: "ready" }, value: 1 },
        { labels: { name: 'live/"b"\n', state: "notReady" }, value: 1 },
      ],
    },
    { name: "estuary_streams", help: "Streams.\nAll of them.", type: "gauge", samples: [{ value: 2 }] },
    { name: "paths_readers", help: "Players.", type: "gauge", samples: [] },
    { name: "estuary_x_total", help: "X.", type: "counter", samples: [{ labels: {}, value: 7 }] },
  ];
  assert.equal(
    renderText(families),
    [
      "# HELP paths Live streams.",
      "# TYPE paths gauge",
      'paths{name="live/a",state="ready"} 1',
      'paths{name="live/\\"b\\"\\n",state="notReady"} 1',
      "# HELP estuary_streams Streams.\\nAll of them.",
      "# TYPE estuary_streams gauge",
      "estuary_streams 2",
      "# HELP estuary_x_total X.",
      "# TYPE estuary_x_total counter",
      "estuary_x_total 7",
      "",
    ].join("\n"),
  );
  assert.equal(renderText([]), "");
});
