/**
 * The supervisor's registry of its workers and of who publishes what: each stream key is claimed by
 * the worker its publisher is connected to, so a player on any other worker knows where to pull it
 * from, and a second publisher of the same key on another worker is refused as busy. A worker that
 * leaves (exits, is killed) takes its claims with it. Pure state; the control channel (control.ts)
 * exposes it over loopback HTTP.
 */
import { StreamBusyError } from "../core/errors.ts";

/** A running worker as its siblings reach it: loopback ports only. */
export interface WorkerEntry {
  /** 0-based slot; a restarted worker keeps its slot. */
  index: number;
  pid: number;
  /** Its private RTMP listener (127.0.0.1), where siblings pull its streams from. */
  relayPort: number;
  /** Its private HTTP control port (127.0.0.1): claims, and the whole-server API's per-worker answers. */
  controlPort: number;
}

/** Who publishes a stream key. */
export interface Claim {
  key: string;
  worker: number;
  relayPort: number;
  /** The protocol the stream is published over on its worker (the relay plays it over RTMP). */
  from?: string;
}

export class WorkerRegistry {
  #workers = new Map<number, WorkerEntry>();
  #claims = new Map<string, { worker: number; from?: string }>();

  /** A worker (re)joined: a restarted slot starts with no claims. Returns the claims it must know. */
  join(w: WorkerEntry): Claim[] {
    if (!Number.isInteger(w.index) || w.index < 0) {
      throw new RangeError(`worker index ${w.index} is invalid: must be an integer ≥ 0`);
    }
    if (this.#workers.has(w.index)) this.leave(w.index);
    this.#workers.set(w.index, { ...w });
    return this.claims();
  }

  /** A worker left: its claims are released. Returns the keys it held. */
  leave(index: number): string[] {
    this.#workers.delete(index);
    const freed: string[] = [];
    for (const [key, holder] of this.#claims) {
      if (holder.worker === index) {
        this.#claims.delete(key);
        freed.push(key);
      }
    }
    return freed;
  }

  /** `worker` publishes `key`; throws StreamBusyError when another live worker does. */
  claim(key: string, worker: number, from?: string): void {
    if (!this.#workers.has(worker)) {
      throw new RangeError(`worker ${worker} cannot claim ${key}: it has not joined`);
    }
    const holder = this.#claims.get(key);
    if (holder !== undefined && holder.worker !== worker) throw new StreamBusyError(key);
    this.#claims.set(key, { worker, from });
  }

  /** `worker` no longer publishes `key`; a release by a worker that does not hold it changes nothing. */
  release(key: string, worker: number): boolean {
    if (this.#claims.get(key)?.worker !== worker) return false;
    this.#claims.delete(key);
    return true;
  }

  /** Where `key` is published, if anywhere. */
  holder(key: string): Claim | undefined {
    const held = this.#claims.get(key);
    const w = held === undefined ? undefined : this.#workers.get(held.worker);
    return w
      ? { key, worker: w.index, relayPort: w.relayPort, ...(held!.from ? { from: held!.from } : {}) }
      : undefined;
  }

  claims(): Claim[] {
    return [...this.#claims.keys()].map((k) => this.holder(k)).filter((c) => c !== undefined);
  }

  workers(): WorkerEntry[] {
    return [...this.#workers.values()].sort((a, b) => a.index - b.index);
  }
}
