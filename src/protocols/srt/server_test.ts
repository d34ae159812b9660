import assert from "node:assert/strict";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  ConfigError,
  Hub,
  NotFoundError,
  ProtocolError,
  StreamBusyError,
} from "../../core/mod.ts";
import { g711Track, h264Track, splitAnnexB } from "../../codecs/mod.ts";
import { createLogger, MemorySink } from "../../log/mod.ts";
import { RejectReason } from "./handshake.ts";
import { TsFanoutMuxer } from "./player.ts";
import { rejectionFor } from "./refusals.ts";

Deno.test("hub admission errors map to libsrt access-control rejections", () => {
  const cases: [unknown, number][] = [
    [new StreamBusyError("live/a"), RejectReason.Conflict],
    [new NotFoundError("no"), RejectReason.NotFound],
    [new AuthError("denied"), RejectReason.Forbidden],
    [new AppNotAllowedError("x", ["live"]), RejectReason.Forbidden],
    [new BadNameError("a b", "no spaces"), RejectReason.BadRequest],
    [new ProtocolError("bad stream id"), RejectReason.BadRequest],
    [new ConfigError("bad"), RejectReason.ServerError],
    [new Error("boom"), RejectReason.ServerError],
  ];
  for (const [err, reason] of cases) assert.equal(rejectionFor(err), reason, String(err));
});

Deno.test("the shared TS muxer leaves G.711 out (video only) with one log line", async () => {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
  const stream = await hub.publish({
    role: "publisher",
    protocol: "rtsp",
    app: "live",
    name: "cam",
    vhost: "",
    query: "",
  });
  const nals = splitAnnexB(
    await Deno.readFile(new URL("../../codecs/testdata/h264_640x360_high_30.h264", import.meta.url)),
  );
  const video = h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
  const audio = g711Track("pcma");
  stream.setTrack(video);
  stream.setTrack(audio);
  const sink = new MemorySink();
  const mux = new TsFanoutMuxer(stream, createLogger({ sinks: [sink] }));
  const out: Uint8Array[] = [];
  const idr = nals.find((n) => (n[0] & 0x1f) === 5)!;
  const data = new Uint8Array(4 + idr.length);
  new DataView(data.buffer).setUint32(0, idr.length);
  data.set(idr, 4);
  mux.mux({ track: audio, dts: 0, pts: 0, key: true, data: new Uint8Array(160) }, out);
  mux.mux({ track: audio, dts: 160, pts: 160, key: true, data: new Uint8Array(160) }, out);
  assert.equal(out.length, 0, "no bytes for G.711");
  mux.mux({ track: video, dts: 0, pts: 0, key: true, data }, out);
  assert.equal(out.length, 1);
  assert.equal(out[0].length % 188, 0);
  assert.equal(mux.header().length % 188, 0);
  assert.equal(sink.lines.filter((l) => l.includes("video only")).length, 1, sink.lines.join("\n"));
  stream.end();
  hub.close();
});
