import assert from "node:assert/strict";
import { nullLogger } from "../log/mod.ts";
import { TcpListeners } from "./tcp_listeners.ts";

/** A listener set that echoes every accepted connection, and keeps them to close at the end. */
function echoListeners(port = 0) {
  const conns: Deno.Conn[] = [];
  const l = new TcpListeners({
    name: "test",
    hostname: "127.0.0.1",
    port,
    log: nullLogger,
    onConn(conn) {
      conns.push(conn);
      return conn.readable.pipeTo(conn.writable).catch(() => {});
    },
  });
  return { l, conns };
}

async function echo(conn: Deno.Conn, text: string): Promise<string> {
  await conn.write(new TextEncoder().encode(text));
  const buf = new Uint8Array(64);
  const n = await conn.read(buf);
  return new TextDecoder().decode(buf.subarray(0, n ?? 0));
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function refused(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return false;
  } catch (err) {
    return err instanceof Deno.errors.ConnectionRefused;
  }
}

Deno.test("rebind: a new port listens, the old one stops, accepted connections keep running", async () => {
  const { l } = echoListeners();
  l.start();
  const oldPort = l.port;
  const early = await Deno.connect({ hostname: "127.0.0.1", port: oldPort });
  try {
    assert.equal(await echo(early, "before"), "before");
    const next = freePort();
    await l.rebind({ hostname: "127.0.0.1", port: next });
    assert.equal(l.port, next);
    assert.ok(await refused(oldPort), "the old port no longer accepts");
    assert.equal(await echo(early, "after"), "after", "the connection accepted before the move");
    const late = await Deno.connect({ hostname: "127.0.0.1", port: next });
    assert.equal(await echo(late, "new"), "new");
    late.close();
  } finally {
    early.close();
    await l.close();
  }
});

Deno.test("rebind: a port that cannot be bound throws and leaves the old listener in place", async () => {
  const { l } = echoListeners();
  l.start();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const takenPort = (taken.addr as Deno.NetAddr).port;
  try {
    const before = l.port;
    await assert.rejects(
      () => l.rebind({ hostname: "127.0.0.1", port: takenPort }),
      (e: Error) => e.message.startsWith("test listener cannot move:"),
    );
    assert.equal(l.port, before);
    const c = await Deno.connect({ hostname: "127.0.0.1", port: before });
    assert.equal(await echo(c, "still"), "still");
    c.close();
  } finally {
    taken.close();
    await l.close();
  }
});

Deno.test("rebind: unchanged address and port leave the socket alone; the same port on another address moves", async () => {
  const port = freePort();
  const { l } = echoListeners(port);
  l.start();
  try {
    await l.rebind({ hostname: "127.0.0.1", port });
    assert.equal(l.port, port);
    // 127.0.0.1 → 0.0.0.0 on one port: the old socket must close first, then the new one binds.
    await l.rebind({ hostname: "0.0.0.0", port });
    assert.equal(l.port, port);
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    assert.equal(await echo(c, "moved"), "moved");
    c.close();
  } finally {
    await l.close();
  }
});
