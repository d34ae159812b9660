/**
 * A lossy UDP relay for loss-recovery tests: clients talk to the relay's port, the relay talks to
 * the target from one upstream socket per client, and each direction drops, delays and reorders
 * a chosen share of datagrams (seeded, so runs are repeatable).
 *
 *   deno run --allow-net --unstable-net tests/support/lossy_relay.ts --target 127.0.0.1:9000 --listen 9100 \
 *     --loss 5 --delay 10 --jitter 5 --reorder 2
 */

export interface LossyRelayOptions {
  targetHost: string;
  targetPort: number;
  /** 0 = any free port. */
  listenPort?: number;
  /** Percent of datagrams dropped, client → target and target → client (default: `loss`). */
  loss?: number;
  lossUp?: number;
  lossDown?: number;
  /** Fixed one-way delay and random extra delay (ms); jitter never reorders by itself. */
  delayMs?: number;
  jitterMs?: number;
  /** Percent of datagrams held back so that later ones overtake them. */
  reorder?: number;
  seed?: number;
}

export interface DirectionStats {
  forwarded: number;
  dropped: number;
  reordered: number;
}

export interface LossyRelay {
  readonly port: number;
  readonly stats: { up: DirectionStats; down: DirectionStats; clients: number };
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startLossyRelay(opts: LossyRelayOptions): LossyRelay {
  const rand = prng(opts.seed ?? 1);
  const lossUp = (opts.lossUp ?? opts.loss ?? 0) / 100;
  const lossDown = (opts.lossDown ?? opts.loss ?? 0) / 100;
  const delay = opts.delayMs ?? 0, jitter = opts.jitterMs ?? 0, reorder = (opts.reorder ?? 0) / 100;
  const target: Deno.NetAddr = { transport: "udp", hostname: opts.targetHost, port: opts.targetPort };
  const front = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: opts.listenPort ?? 0 });
  const upstream = new Map<string, Deno.DatagramConn>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const loops: Promise<void>[] = [];
  const stats = {
    up: { forwarded: 0, dropped: 0, reordered: 0 },
    down: { forwarded: 0, dropped: 0, reordered: 0 },
    clients: 0,
  };
  let closed = false;

  interface Direction {
    loss: number;
    stats: DirectionStats;
    /** When the last datagram leaves: jitter alone keeps a direction in order, like a real path. */
    lastDue: number;
  }
  const up: Direction = { loss: lossUp, stats: stats.up, lastDue: 0 };
  const down: Direction = { loss: lossDown, stats: stats.down, lastDue: 0 };

  function forward(dir: Direction, data: Uint8Array, route: { sock: Deno.DatagramConn; to: Deno.NetAddr }) {
    const s = dir.stats;
    if (rand() < dir.loss) {
      s.dropped++;
      return;
    }
    const now = performance.now();
    let due = Math.max(now + delay + (jitter ? rand() * jitter : 0), dir.lastDue);
    dir.lastDue = due;
    if (reorder && rand() < reorder) {
      due += 5 + jitter * 2; // only `reorder` lets a datagram be overtaken
      s.reordered++;
    }
    const wait = due - now;
    const send = () => {
      if (closed) return;
      s.forwarded++;
      route.sock.send(data, route.to).catch(() => {});
    };
    if (wait < 0.5) return send();
    const t = setTimeout(() => {
      timers.delete(t);
      send();
    }, wait);
    timers.add(t);
  }

  async function pump(sock: Deno.DatagramConn, onData: (d: Uint8Array, from: Deno.NetAddr) => void) {
    while (!closed) {
      try {
        const [data, from] = await sock.receive();
        onData(data, from as Deno.NetAddr);
      } catch {
        if (closed) return;
      }
    }
  }

  loops.push(pump(front, (data, client) => {
    const key = `${client.hostname}:${client.port}`;
    let sock = upstream.get(key);
    if (!sock) {
      sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      upstream.set(key, sock);
      stats.clients++;
      loops.push(pump(sock, (d) => forward(down, d, { sock: front, to: client })));
    }
    forward(up, data, { sock, to: target });
  }));

  return {
    port: (front.addr as Deno.NetAddr).port,
    stats,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of [front, ...upstream.values()]) {
        try {
          s.close();
        } catch { /* closed */ }
      }
      await Promise.all(loops);
    },
  };
}

if (import.meta.main) {
  const args = new Map<string, string>();
  for (let i = 0; i < Deno.args.length; i += 2) args.set(Deno.args[i].replace(/^--/, ""), Deno.args[i + 1]);
  const [host, port] = (args.get("target") ?? "127.0.0.1:9000").split(":");
  const relay = startLossyRelay({
    targetHost: host,
    targetPort: Number(port),
    listenPort: Number(args.get("listen") ?? 0),
    loss: Number(args.get("loss") ?? 5),
    delayMs: Number(args.get("delay") ?? 0),
    jitterMs: Number(args.get("jitter") ?? 0),
    reorder: Number(args.get("reorder") ?? 0),
    seed: Number(args.get("seed") ?? 1),
  });
  console.log(`lossy relay on 127.0.0.1:${relay.port} → ${host}:${port}`);
  Deno.addSignalListener("SIGINT", async () => {
    await relay.close();
    console.log(JSON.stringify(relay.stats));
    Deno.exit(0);
  });
}
