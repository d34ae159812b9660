import assert from "node:assert/strict";
import { connectSrt, SrtRejectedError } from "./caller.ts";
import { type Admission, SrtListener } from "./listener.ts";
import type { SrtConnection } from "./connection.ts";
import { RejectReason } from "./handshake.ts";
import { nullLogger } from "../../log/mod.ts";

function listener(opts: { passphrase?: string; admit?: () => Admission; kmRefreshRate?: number } = {}) {
  const conns: SrtConnection[] = [];
  const l = new SrtListener({
    hostname: "127.0.0.1",
    port: 0,
    latencyMs: 250,
    peerIdleTimeoutMs: 2000,
    log: nullLogger,
    passphrase: opts.passphrase,
    kmRefreshRate: opts.kmRefreshRate,
    kmPreAnnounce: opts.kmRefreshRate ? Math.floor(opts.kmRefreshRate / 4) : undefined,
    admit: () =>
      Promise.resolve(
        opts.admit?.() ?? {
          accept: true,
          onConnection: (c: SrtConnection) => conns.push(c),
        },
      ),
  });
  l.start();
  return { l, conns };
}

const until = async (f: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A payload that carries its seed in its first two bytes, so a receiver knows which one it got. */
function pattern(n: number, seed: number): Uint8Array {
  const p = new Uint8Array(n).map((_, i) => (i * 7 + seed) & 0xff);
  p[0] = seed >> 8;
  p[1] = seed & 0xff;
  return p;
}

/**
 * Live mode may drop what is too late to deliver (a loaded machine delays the event loop past the
 * latency): the sender drops what it can no longer send in time, the receiver what came too late; both
 * are counted. Everything else must arrive intact, once and in order.
 */
function checkDelivery(got: Uint8Array[], firstSeed: number, n: number, dropped: number, who: string) {
  assert.equal(
    got.length + dropped,
    n,
    `${who}: ${got.length} delivered + ${dropped} dropped (sender + receiver)`,
  );
  let last = -1;
  for (const p of got) {
    const seed = (p[0] << 8) | p[1];
    assert.ok(seed > last && seed >= firstSeed && seed < firstSeed + n, `${who}: ${seed} after ${last}`);
    assert.deepEqual(p, pattern(1316, seed), `${who}: payload ${seed} intact`);
    last = seed;
  }
}

async function exchange(passphrase?: string, pbkeylen?: number, kmRefreshRate?: number) {
  const { l, conns } = listener({ passphrase, kmRefreshRate });
  const c = await connectSrt({
    hostname: "127.0.0.1",
    port: l.port,
    streamId: "live/x",
    passphrase,
    pbkeylen,
    latencyMs: 250,
  });
  try {
    await until(() => conns.length === 1);
    const server = conns[0];
    const toServer: Uint8Array[] = [], toCaller: Uint8Array[] = [];
    server.onData = (p) => toServer.push(p);
    c.connection.onData = (p) => toCaller.push(p);
    const n = 300;
    for (let i = 0; i < n; i++) {
      c.connection.send(pattern(1316, i));
      await server.write(pattern(1316, i + 1000));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      // With key refresh, a real stream's pace (~2 ms a packet): a key exchange (KMREQ, the peer's unwrap,
      // KMRSP, the ACKs of the old key's packets) then completes while packets flow, on a loaded machine too.
      if (kmRefreshRate) await new Promise((r) => setTimeout(r, 2));
    }
    const droppedToServer = () => c.connection.stats().send.dropped + server.stats().recv.dropped;
    const droppedToCaller = () => server.stats().send.dropped + c.connection.stats().recv.dropped;
    const settled = () =>
      toServer.length + droppedToServer() === n && toCaller.length + droppedToCaller() === n;
    await until(settled).catch((e) => {
      throw new Error(
        `${e.message}: ${toServer.length}/${n} to the server, ${toCaller.length}/${n} to the caller; ` +
          `server ${JSON.stringify(server.stats())}; caller ${JSON.stringify(c.connection.stats())}`,
      );
    });
    checkDelivery(toServer, 0, n, droppedToServer(), "caller → server");
    checkDelivery(toCaller, 1000, n, droppedToCaller(), "server → caller");
    assert.equal(l.stats().sessions, 1);
    return { server: server.stats(), caller: c.connection.stats() };
  } finally {
    await c.close();
    await until(() => l.stats().sessions === 0);
    await l.close();
  }
}

Deno.test("caller ↔ listener: payloads both ways, in order, then the session is freed", async () => {
  const s = await exchange();
  assert.equal(s.server.recv.packets + s.server.recv.dropped + s.caller.send.dropped, 300);
  assert.equal(s.caller.recv.packets + s.caller.recv.dropped + s.server.send.dropped, 300);
  assert.equal(s.server.encrypted, false);
});

Deno.test("caller ↔ listener with AES-128 and AES-256", async () => {
  for (const len of [16, 32]) {
    const s = await exchange("0123456789abcdef", len);
    assert.ok(s.server.encrypted && s.caller.encrypted);
    assert.equal(s.server.recv.undecrypted, 0);
  }
});

Deno.test("key refresh: both sides switch to the other parity and keep decrypting", async () => {
  const s = await exchange("0123456789abcdef", 16, 64);
  assert.ok(s.server.keyRefreshes >= 2, `${s.server.keyRefreshes} server key refreshes in 300 packets`);
  assert.equal(s.server.recv.undecrypted, 0);
  assert.equal(s.caller.recv.undecrypted, 0);
});

Deno.test("rejections reach the caller with libsrt's codes", async () => {
  const cases: [string, { passphrase?: string; admit?: () => Admission }, string | undefined, number][] = [
    ["wrong passphrase", { passphrase: "0123456789abcdef" }, "fedcba9876543210", RejectReason.BadSecret],
    ["passphrase required", { passphrase: "0123456789abcdef" }, undefined, RejectReason.Unsecure],
    ["unexpected passphrase", {}, "0123456789abcdef", RejectReason.Unsecure],
    [
      "admission refused",
      { admit: () => ({ accept: false, reason: RejectReason.NotFound, message: "no such stream" }) },
      undefined,
      RejectReason.NotFound,
    ],
  ];
  for (const [name, lopts, pass, reason] of cases) {
    const { l } = listener(lopts);
    try {
      const err = await connectSrt({
        hostname: "127.0.0.1",
        port: l.port,
        streamId: "live/x",
        passphrase: pass,
      })
        .then(() => undefined, (e) => e);
      assert.ok(err instanceof SrtRejectedError, name);
      assert.equal(err.reason, reason, name);
      assert.equal(l.stats().sessions, 0);
    } finally {
      await l.close();
    }
  }
});

Deno.test("connecting to a silent port times out", async () => {
  const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (silent.addr as Deno.NetAddr).port;
    const err = await connectSrt({ hostname: "127.0.0.1", port, connectTimeoutMs: 300 }).then(
      () => 0,
      (e) => e,
    );
    assert.ok(err instanceof SrtRejectedError && err.reason === RejectReason.Timeout);
  } finally {
    silent.close();
  }
});
