import assert from "node:assert/strict";
import { Hub } from "../../core/hub.ts";
import { nullLogger } from "../../log/mod.ts";
import { connectSrt, SrtRejectedError } from "./caller.ts";
import { RejectReason } from "./handshake.ts";
import { createSrtServer, type SrtReloadable } from "./server.ts";

function freeUdpPort(): number {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (s.addr as Deno.NetAddr).port;
  s.close();
  return port;
}

const until = async (f: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

Deno.test("SRT update: a new socket for new callers; the old one keeps its connection, then closes", async () => {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
  const base: SrtReloadable = { hostname: "127.0.0.1", port: 0, latencyMs: 40, maxIdleMs: 3000 };
  const server = createSrtServer({ hub, log: nullLogger, ...base });
  await server.start();
  const oldPort = server.port;
  const publisher = await connectSrt({
    hostname: "127.0.0.1",
    port: oldPort,
    streamId: "#!::r=live/a,m=publish",
    latencyMs: 40,
  });
  try {
    await until(() => hub.get("live/a") !== undefined, "the publisher's stream");
    const received = () => server.stats().list.find((e) => e.role === "publisher")?.recv.packets ?? 0;

    // A port another socket holds: refused, and nothing changes.
    const taken = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const takenPort = (taken.addr as Deno.NetAddr).port;
    await assert.rejects(server.update({ ...base, port: takenPort }), /srt listener cannot move/);
    taken.close();
    assert.equal(server.port, oldPort);

    const next = freeUdpPort();
    await server.update({ ...base, port: next, latencyMs: 200 });
    assert.equal(server.port, next);
    assert.equal(server.stats().draining, 1);

    // The connected publisher keeps sending through the old socket.
    const before = received();
    for (let i = 0; i < 20; i++) publisher.connection.send(new Uint8Array(1316).fill(i));
    await until(() => received() >= before + 20, "the publisher's packets after the move");

    // The old address takes no new caller; the new one does, with the reloaded latency.
    const stale = await connectSrt({ hostname: "127.0.0.1", port: oldPort, connectTimeoutMs: 600 })
      .then(() => undefined, (e) => e);
    assert.ok(stale instanceof SrtRejectedError && stale.reason === RejectReason.Timeout, String(stale));
    const player = await connectSrt({
      hostname: "127.0.0.1",
      port: next,
      streamId: "#!::r=live/a,m=request",
      latencyMs: 40,
    });
    try {
      await until(() => server.stats().byState.read.conns === 1, "the player on the new port");
      const p = server.stats().list.find((e) => e.role === "player")!;
      assert.equal(p.latencyMs, 200);
    } finally {
      await player.close();
    }

    // The old socket goes once its last connection ends.
    await publisher.close();
    await until(() => server.stats().draining === 0, "the old socket to close");
  } finally {
    await publisher.close();
    await server.close();
    hub.close();
  }
});
