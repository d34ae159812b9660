/**
 * The supervisor's control channel: the registry over HTTP on a loopback port that only the workers
 * are told about. Workers join with their private ports, claim and release the keys they publish;
 * every change is pushed to every worker (its view: the claims and its siblings), so a worker decides
 * where a stream is from its own copy, without a round trip on a player's path.
 */
import { StreamBusyError } from "../core/errors.ts";
import type { Logger } from "../log/mod.ts";
import { type Claim, type WorkerEntry, WorkerRegistry } from "./registry.ts";

/** What every worker is told after each change. */
export interface WorkerView {
  claims: Claim[];
  workers: WorkerEntry[];
}

/** The header of a request a worker answers for itself only (a sibling gathering the whole server). */
export const LOCAL_HEADER = "x-estuary-worker";

export class ControlChannel {
  readonly registry = new WorkerRegistry();
  #log: Logger;
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Listens on 127.0.0.1 (any free port); returns the port. */
  listen(): number {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.handle(req),
    );
    return this.#server.addr.port;
  }

  async close(): Promise<void> {
    await this.#server?.shutdown();
  }

  /** A worker exited: its claims go, and the others are told. */
  left(index: number): void {
    const freed = this.registry.leave(index);
    if (freed.length) this.#log.info("worker's streams released", { worker: index, keys: freed.join(",") });
    this.#broadcast();
  }

  view(): WorkerView {
    return { claims: this.registry.claims(), workers: this.registry.workers() };
  }

  async handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    try {
      if (req.method === "GET" && path === "/workers") return Response.json(this.view());
      if (req.method !== "POST") {
        return text(405, `${req.method} ${path} is not allowed: POST or GET /workers`);
      }
      const body = await req.json() as Record<string, unknown>;
      const index = Number(body.index);
      switch (path) {
        case "/join":
          this.registry.join({
            index,
            pid: Number(body.pid),
            relayPort: Number(body.relayPort),
            controlPort: Number(body.controlPort),
          });
          break;
        case "/claim":
          this.registry.claim(String(body.key), index, typeof body.from === "string" ? body.from : undefined);
          break;
        case "/release":
          this.registry.release(String(body.key), index);
          break;
        default:
          return text(404, `no control route ${path}: /join, /claim, /release, /workers`);
      }
      this.#broadcast();
      return Response.json(this.view());
    } catch (err) {
      if (err instanceof StreamBusyError) return text(409, err.message);
      return text(400, `bad control request ${path}: ${(err as Error).message}`);
    }
  }

  /** Pushes the view to every worker; one that is gone is left to its exit handler. */
  #broadcast(): void {
    const body = JSON.stringify(this.view());
    for (const w of this.registry.workers()) {
      fetch(`http://127.0.0.1:${w.controlPort}/view`, { method: "POST", body })
        .then((r) => r.body?.cancel())
        .catch(() => {});
    }
  }
}

function text(status: number, msg: string): Response {
  return new Response(msg, { status });
}
