/**
 * One forward's state, and the only place that logs its changes (one line per change, never one per
 * attempt: a target that stays down logs once, however many times it is retried).
 *
 *   connecting ──published──► forwarding ──dropped / refused──► retrying ──published──► forwarding
 *        └──────refused / timed out──────────────────────────────►┘   (attempts every `reconnect` s)
 *   any ──stream ended / rule removed / server stopping──► stopped
 */
import type { Logger } from "../log/mod.ts";

export type ForwardState = "connecting" | "forwarding" | "retrying" | "stopped";

export type ForwardEvent =
  | { type: "published" }
  | { type: "failed"; why: string }
  | { type: "attempt" }
  | { type: "stopped"; why: string };

export class ForwardStatus {
  #state: ForwardState = "connecting";
  #log: Logger;
  #now: () => number;
  /** When the current state began (ms). */
  since: number;
  /** Reconnect attempts made (after the first connect). */
  reconnects = 0;
  /** Why the last attempt failed or the connection dropped ("" once forwarding). */
  error = "";

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
    this.since = now();
    log.info("forward connecting");
  }

  get state(): ForwardState {
    return this.#state;
  }

  /** Applies an event; returns false when it is ignored (anything after `stopped`). */
  on(e: ForwardEvent): boolean {
    if (this.#state === "stopped") return false;
    switch (e.type) {
      case "attempt":
        this.reconnects++;
        return true;
      case "published": {
        const wasDown = this.#state === "retrying" ? this.#now() - this.since : undefined;
        this.error = "";
        this.#to("forwarding");
        this.#log.info("forward publishing", { down_ms: wasDown, reconnects: this.reconnects || undefined });
        return true;
      }
      case "failed":
        this.error = e.why;
        if (this.#state === "retrying") return true;
        this.#to("retrying");
        this.#log.warn("forward retrying", { why: e.why });
        return true;
      case "stopped":
        this.#to("stopped");
        this.#log.info("forward stopped", { why: e.why });
        return true;
    }
  }

  #to(s: ForwardState) {
    this.#state = s;
    this.since = this.#now();
  }
}
