/**
 * Runs one target: mutated inputs from its seeds, checking what issue 10 asks of every parser: no
 * exception but its typed refusals, no input over the time limit, and a heap that stays bounded.
 */
import { Prng } from "./prng.ts";
import { mutate } from "./mutate.ts";
import type { FuzzTarget } from "./target.ts";

export interface RunOptions {
  seed: number;
  inputs: number;
  /** An input slower than this (three times: a GC pause is not a bug) fails. */
  slowMs?: number;
  /** Heap growth over the first batch's that fails the run. */
  maxHeapGrowth?: number;
  /** Stop after this many failures (they tend to be one bug many times). */
  maxFailures?: number;
}

export interface Failure {
  kind: "exception" | "slow" | "memory";
  input: Uint8Array;
  message: string;
}

export interface TargetReport {
  name: string;
  inputs: number;
  ms: number;
  /** Inputs the parser refused with a typed error (not failures). */
  refused: number;
  slowestMs: number;
  heapGrowth: number;
  failures: Failure[];
}

const BATCH = 1000;

function heapUsed(): number {
  return Deno.memoryUsage().heapUsed;
}

export async function runTarget(t: FuzzTarget, o: RunOptions): Promise<TargetReport> {
  const slowMs = o.slowMs ?? 50;
  const maxGrowth = o.maxHeapGrowth ?? 256 * 1024 * 1024;
  const maxFailures = o.maxFailures ?? 10;
  const seeds = t.seeds();
  if (seeds.length === 0) throw new Error(`fuzz target ${t.name} has no seeds`);
  // Each target gets its own stream, so `--only` reproduces exactly what a full run did.
  const r = new Prng(o.seed ^ hash(t.name));
  const report: TargetReport = {
    name: t.name,
    inputs: 0,
    ms: 0,
    refused: 0,
    slowestMs: 0,
    heapGrowth: 0,
    failures: [],
  };
  const fail = (kind: Failure["kind"], input: Uint8Array, message: string) =>
    report.failures.push({ kind, input: input.slice(), message });
  let baseHeap = -1;
  const start = performance.now();
  for (let i = 0; i < o.inputs && report.failures.length < maxFailures; i++) {
    // The seeds themselves first: a table input must pass before its mutations mean anything.
    const input = i < seeds.length ? seeds[i].slice() : mutate(r, seeds);
    const copy = input.slice();
    const t0 = performance.now();
    let outcome = attempt(t, input);
    // Only the parsers that read from a connection are async; the others never pay for an await.
    if (typeof outcome !== "string") outcome = await outcome;
    let took = performance.now() - t0;
    // A GC pause or a busy machine can stall any one call: only an input slow three times fails.
    for (let retry = 0; retry < 2 && took > slowMs; retry++) {
      const t1 = performance.now();
      await attempt(t, copy.slice());
      took = Math.min(took, performance.now() - t1);
    }
    if (took > slowMs) fail("slow", copy, `took ${took.toFixed(1)} ms: must be under ${slowMs} ms`);
    report.slowestMs = Math.max(report.slowestMs, took);
    if (outcome === "refused") report.refused++;
    else if (outcome !== "ok") fail("exception", copy, outcome);
    report.inputs++;
    if ((i + 1) % BATCH === 0) {
      const heap = heapUsed();
      if (baseHeap < 0) baseHeap = heap;
      report.heapGrowth = Math.max(report.heapGrowth, heap - baseHeap);
      if (heap - baseHeap > maxGrowth) {
        fail("memory", copy, `heap grew ${((heap - baseHeap) / 1048576).toFixed(0)} MB over the run`);
      }
    }
  }
  report.ms = performance.now() - start;
  return report;
}

/** "ok", "refused" (a typed error), or the description of a crash. */
function attempt(t: FuzzTarget, input: Uint8Array): string | Promise<string> {
  try {
    const done = t.run(input);
    return done ? done.then(() => "ok", (e) => outcomeOf(t, e)) : "ok";
  } catch (e) {
    return outcomeOf(t, e);
  }
}

function outcomeOf(t: FuzzTarget, e: unknown): string {
  if (t.accepted.some((c) => e instanceof c)) return "refused";
  const err = e as Error;
  const where = err?.stack?.split("\n").slice(0, 4).join(" | ") ?? String(e);
  return `${err?.name ?? typeof e}: ${where}`;
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The input as hex, short enough for a log line and exact enough for a regression row. */
export function hex(b: Uint8Array, max = 512): string {
  const s = [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, "0")).join("");
  return b.length > max ? `${s}… (${b.length} bytes)` : s;
}
