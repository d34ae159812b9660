import assert from "node:assert/strict";
import { COLLECTOR_ERRORS, Metrics } from "./registry.ts";
import { checkFamily, MetricsError, seriesKey } from "./names.ts";
import type { MetricFamily } from "./family.ts";

const gauge = (name: string, ...samples: MetricFamily["samples"]): MetricFamily => ({
  name,
  help: "h",
  type: "gauge",
  samples,
});

Deno.test("collect merges families of one name from several owners into one family", () => {
  const m = new Metrics();
  m.register("rtmp", () => [gauge("rtmp_conns", { labels: { id: "1" }, value: 1 })]);
  m.register(
    "rtmps",
    () => [gauge("rtmp_conns", { labels: { id: "2" }, value: 1 }), gauge("other", { value: 3 })],
  );
  const got = m.collect();
  assert.deepEqual(got.map((f) => f.name), ["rtmp_conns", "other"]);
  assert.deepEqual(got[0].samples.map((s) => s.labels?.id), ["1", "2"]);
  assert.deepEqual(m.errors(), {});
});

Deno.test("a repeated series keeps its first sample, whatever the label order", () => {
  const m = new Metrics();
  m.register("a", () => [gauge("g", { labels: { x: "1", y: "2" }, value: 1 })]);
  m.register(
    "b",
    () => [gauge("g", { labels: { y: "2", x: "1" }, value: 9 }, { labels: { x: "1" }, value: 5 })],
  );
  const [g] = m.collect();
  assert.deepEqual(g.samples.map((s) => s.value), [1, 5]);
});

Deno.test("register replaces an owner's collector; the removal only removes its own", () => {
  const m = new Metrics();
  const off1 = m.register("hub", () => [gauge("one", { value: 1 })]);
  const off2 = m.register("hub", () => [gauge("two", { value: 2 })]);
  off1(); // stale: the second collector stays
  assert.deepEqual(m.collect().map((f) => f.name), ["two"]);
  off2();
  assert.deepEqual(m.collect(), []);
});

Deno.test("a failing or rule-breaking collector costs only its own families and is counted", () => {
  const m = new Metrics();
  m.register("good", () => [gauge("ok", { value: 1 })]);
  m.register("throws", () => {
    throw new Error("boom");
  });
  m.register("bad", () => [
    { name: "bytes_sent", help: "h", type: "counter", samples: [{ value: 1 }] },
    gauge("ok", { labels: { id: "x" }, value: 1 }),
  ]);
  m.register("clash", () => [{ name: "ok", help: "h", type: "untyped", samples: [{ value: 5 }] }]);
  const got = m.collect();
  assert.deepEqual(got.map((f) => f.name), ["ok", COLLECTOR_ERRORS]);
  assert.deepEqual(got[0].samples.map((s) => s.value), [1, 1]);
  const errs = got[1];
  assert.equal(errs.type, "counter");
  assert.deepEqual(
    Object.fromEntries(errs.samples.map((s) => [s.labels!.owner, s.value])),
    { throws: 1, bad: 1, clash: 1 },
  );
  assert.deepEqual(m.errors(), {
    throws: "boom",
    bad: "counter bytes_sent is misnamed: a counter's name must end in _total",
    clash: "metric ok from clash is a untyped: the name is already a gauge (one type per name)",
  });
  m.collect();
  assert.equal(m.collect().at(-1)!.samples.find((s) => s.labels!.owner === "throws")!.value, 3);
});

Deno.test("checkFamily names the value and the rule", () => {
  const cases: [MetricFamily, RegExp][] = [
    [gauge("9lives", { value: 1 }), /metric name "9lives" is invalid: must match/],
    [gauge("a-b", { value: 1 }), /metric name "a-b" is invalid/],
    [gauge("up_total", { value: 1 }), /gauge up_total is misnamed: only a counter's name may end in _total/],
    [{ name: "x_total", help: "", type: "summary" as "gauge", samples: [] }, /type "summary" is invalid/],
    [gauge("g", { labels: { "bad-name": "v" }, value: 1 }), /label name "bad-name" is invalid/],
    [
      gauge("g", { labels: { __name__: "v" }, value: 1 }),
      /label name "__name__" is invalid: .*not start with __/,
    ],
    [
      gauge("g", { labels: { a: 1 as unknown as string }, value: 1 }),
      /label a value 1 is invalid: must be a string/,
    ],
    [gauge("g", { value: "1" as unknown as number }), /value "1" is invalid: must be a number/],
  ];
  for (const [f, re] of cases) {
    assert.throws(
      () => checkFamily(f),
      (e: unknown) => e instanceof MetricsError && re.test(e.message),
      String(re),
    );
  }
  const fine: MetricFamily = {
    name: "paths_inbound_bytes",
    help: "",
    type: "untyped",
    samples: [{ value: 1 }],
  };
  assert.equal(checkFamily(fine), fine);
});

Deno.test("seriesKey ignores label order and tells label sets apart", () => {
  assert.equal(seriesKey({ a: "1", b: "2" }), seriesKey({ b: "2", a: "1" }));
  assert.notEqual(seriesKey({ a: "1b" }), seriesKey({ a: "1", b: "" }));
  assert.equal(seriesKey(undefined), seriesKey({}));
});
