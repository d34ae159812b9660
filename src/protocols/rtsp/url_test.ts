import assert from "node:assert/strict";
import { contentBase, matchControl, parseRtspUrl, resolveControl } from "./url.ts";
import { RtspError } from "./message.ts";

const cases: [string, Record<string, string>][] = [
  ["rtsp://h:8554/live/cam", { app: "live", name: "cam", query: "", control: "" }],
  ["rtsp://h/live/cam/", { app: "live", name: "cam", control: "" }],
  ["rtsp://h/live/cam/trackID=1", { control: "trackID=1" }],
  ["rtsp://h/live/cam?token=x", { query: "token=x", control: "" }],
  // ffmpeg appends relative controls after the query
  ["rtsp://h/live/cam?token=x/streamid=0", { query: "token=x", control: "streamid=0" }],
  ["RTSPS://h:322/live/c%20d", { scheme: "rtsps", name: "c d" }],
];
for (const [url, want] of cases) {
  Deno.test(`rtsp url: ${url}`, () => {
    const t = parseRtspUrl(url);
    for (const [k, v] of Object.entries(want)) {
      assert.equal((t as unknown as Record<string, string>)[k], v, k);
    }
  });
}

Deno.test("rtsp url: bad URLs are 400", () => {
  for (const u of ["http://h/live/cam", "rtsp://h/only", "rtsp://h/live/%zz", "*"]) {
    assert.throws(() => parseRtspUrl(u), (e: unknown) => e instanceof RtspError && e.status === 400, u);
  }
});

Deno.test("content base and control resolution", () => {
  assert.equal(contentBase(parseRtspUrl("rtsp://h:1/live/cam?x=1")), "rtsp://h:1/live/cam/");
  assert.equal(resolveControl("rtsp://h/live/cam/", "trackID=0"), "rtsp://h/live/cam/trackID=0");
  assert.equal(resolveControl("rtsp://h/live/cam", "trackID=0"), "rtsp://h/live/cam/trackID=0");
  assert.equal(resolveControl("rtsp://h/live/cam/", "*"), "rtsp://h/live/cam/");
  assert.equal(resolveControl("rtsp://h/live/cam/", "rtsp://o/x/y"), "rtsp://o/x/y");
});

const matches: [string, string, string[], number][] = [
  ["relative", "rtsp://h/live/cam/streamid=1", ["streamid=0", "streamid=1"], 1],
  ["absolute, another host name", "rtsp://127.0.0.1/live/cam/trackID=2", [
    "rtsp://myhost:554/live/cam/trackID=1",
    "rtsp://myhost:554/live/cam/trackID=2",
  ], 1],
  ["after a query", "rtsp://h/live/cam?t=1/stream=0", ["stream=0", "stream=1"], 0],
  ["none", "rtsp://h/live/cam/other", ["trackID=0"], -1],
];
for (const [name, url, controls, want] of matches) {
  Deno.test(`matchControl: ${name}`, () => {
    assert.equal(matchControl(url, "rtsp://h/live/cam/", controls), want);
  });
}
