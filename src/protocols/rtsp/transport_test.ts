import assert from "node:assert/strict";
import { formatTransport, parseTransport } from "./transport.ts";
import { RtspError } from "./message.ts";

const cases: [string, string, Record<string, unknown>][] = [
  ["ffmpeg tcp", "RTP/AVP/TCP;unicast;interleaved=0-1", {
    lower: "tcp",
    interleaved: [0, 1],
    multicast: false,
  }],
  ["ffmpeg udp record", "RTP/AVP/UDP;unicast;client_port=5000-5001;mode=record", {
    lower: "udp",
    clientPort: [5000, 5001],
    mode: "record",
  }],
  ["gst quoted mode", 'RTP/AVP;unicast;client_port=6000-6001;mode="RECORD"', {
    lower: "udp",
    mode: "record",
  }],
  ["single port", "RTP/AVP;unicast;client_port=7000", { clientPort: [7000, 7001] }],
  ["multicast", "RTP/AVP;multicast;destination=224.1.1.1", { multicast: true, destination: "224.1.1.1" }],
];
for (const [name, header, want] of cases) {
  Deno.test(`transport: ${name}`, () => {
    const [t] = parseTransport(header);
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual((t as unknown as Record<string, unknown>)[k], v, k);
    }
    assert.deepEqual(parseTransport(formatTransport(t))[0], t, "format → parse round trip");
  });
}

Deno.test("transport: several specs keep the client's order", () => {
  const t = parseTransport("RTP/AVP/TCP;unicast;interleaved=2-3, RTP/AVP;unicast;client_port=9000-9001");
  assert.deepEqual(t.map((s) => s.lower), ["tcp", "udp"]);
});

Deno.test("transport: bad ranges are 400", () => {
  for (
    const h of ["RTP/AVP;client_port=abc", "RTP/AVP/TCP;interleaved=300-301", "RTP/AVP;client_port=99999"]
  ) {
    assert.throws(() => parseTransport(h), (e: unknown) => e instanceof RtspError && e.status === 400, h);
  }
});
