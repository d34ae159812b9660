/**
 * The whole server's API answers from its workers' own answers: a worker that receives /api/live,
 * /api/streams, /api/statistics or /metrics asks every worker (itself included) over their private
 * control ports and merges. A player is counted by the worker it is connected to only (a sibling's
 * relay pull counts nowhere), so the sums count every player once.
 */

/** One worker's answer to the same request. */
export interface WorkerAnswer {
  worker: number;
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export interface Merged {
  status: number;
  body: unknown;
}

type Counts = { count: Record<string, number>; total: number };

function addCounts(into: Counts, c: Counts | undefined): void {
  if (!c) return;
  for (const [proto, n] of Object.entries(c.count ?? {})) into.count[proto] = (into.count[proto] ?? 0) + n;
  into.total += c.total ?? 0;
}

const ok = (answers: WorkerAnswer[]) => answers.filter((a) => a.status === 200);

/** The publisher's worker's answer first, then the others in worker order. */
function holderFirst(answers: WorkerAnswer[], holder: number | undefined): WorkerAnswer[] {
  return [...answers].sort((a, b) =>
    (a.worker === holder ? -1 : 0) - (b.worker === holder ? -1 : 0) || a.worker - b.worker
  );
}

/**
 * /api/live: the list is the union of the workers' lists; `cmd=count` sums the players; a stream's
 * details are its publisher's worker's. No worker has it: the first worker's refusal (404).
 */
export function mergeLive(q: URLSearchParams, answers: WorkerAnswer[], holder?: number): Merged {
  const good = ok(answers);
  if (good.length === 0) return first(answers);
  if ((q.get("name") ?? "") === "") {
    const stream = [
      ...new Set(good.flatMap((a) => (a.body?.data?.stream ?? a.body?.stream ?? []) as string[])),
    ];
    return envelope(good[0], { stream });
  }
  if (q.get("cmd") === "count") {
    const c: Counts = { count: {}, total: 0 };
    for (const a of good) addCounts(c, data(a));
    return envelope(good[0], c);
  }
  return holderFirst(good, holder)[0];
}

/** /api/streams: one entry per stream (its publisher's worker's), players summed over the workers. */
export function mergeStreams(answers: WorkerAnswer[], holderOf: (key: string) => number | undefined): Merged {
  const good = ok(answers);
  if (good.length === 0) return first(answers);
  // deno-lint-ignore no-explicit-any
  const byKey = new Map<string, { entry: any; from: number; players: Counts }>();
  for (const a of good) {
    for (const e of a.body?.streams ?? []) {
      const key = `${e.app}/${e.name}`;
      const cur = byKey.get(key);
      const players: Counts = cur?.players ?? { count: {}, total: 0 };
      addCounts(players, e.players);
      const own = holderOf(key) === a.worker;
      if (!cur || own) byKey.set(key, { entry: e, from: a.worker, players });
    }
  }
  const streams = [...byKey.entries()]
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([, v]) => ({ ...v.entry, players: v.players }));
  return { status: 200, body: { streams } };
}

/** /api/statistics: every family's samples from every worker, each labelled with its worker. */
export function mergeStatistics(answers: WorkerAnswer[], now = new Date()): Merged {
  const good = ok(answers);
  if (good.length === 0) return first(answers);
  // deno-lint-ignore no-explicit-any
  const metrics: Record<string, any> = {};
  for (const a of good) {
    for (const [name, fam] of Object.entries(a.body?.metrics ?? {})) {
      // deno-lint-ignore no-explicit-any
      const f = fam as any;
      metrics[name] ??= { type: f.type, help: f.help, samples: [] };
      for (const s of f.samples ?? []) {
        metrics[name].samples.push({ labels: { ...s.labels, worker: String(a.worker) }, value: s.value });
      }
    }
  }
  return { status: 200, body: { time: now.toISOString(), metrics } };
}

/**
 * Prometheus text from every worker as one exposition: each family once (HELP and TYPE from the first
 * worker that has it), every sample with a `worker` label, so `sum without (worker)` is the server.
 */
export function mergeMetricsText(texts: { worker: number; text: string }[]): string {
  const families = new Map<string, { head: string[]; samples: string[] }>();
  for (const { worker, text } of texts) {
    let current = "";
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        current = meta[2];
        const f = families.get(current) ?? { head: [], samples: [] };
        families.set(current, f);
        if (!f.head.some((h) => h.startsWith(`# ${meta[1]} `))) f.head.push(line);
        continue;
      }
      if (line.startsWith("#")) continue;
      const name = /^[^{\s]+/.exec(line)?.[0] ?? "";
      const fam = name.startsWith(current) && current !== "" ? current : name;
      const f = families.get(fam) ?? { head: [], samples: [] };
      families.set(fam, f);
      f.samples.push(withWorker(line, name, worker));
    }
  }
  const out: string[] = [];
  for (const f of families.values()) out.push(...f.head, ...f.samples);
  return out.join("\n") + "\n";
}

function withWorker(line: string, name: string, worker: number): string {
  const rest = line.slice(name.length);
  const label = `worker="${worker}"`;
  if (rest.startsWith("{}")) return `${name}{${label}}${rest.slice(2)}`;
  if (rest.startsWith("{")) return `${name}{${label},${rest.slice(1)}`;
  return `${name}{${label}}${rest}`;
}

// smart_rtmpd's envelope ({code, msg, data}) when the workers answer with it; the bare body otherwise.
// deno-lint-ignore no-explicit-any
function data(a: WorkerAnswer): any {
  return a.body?.data ?? a.body;
}

function envelope(a: WorkerAnswer, payload: unknown): Merged {
  if (a.body && typeof a.body === "object" && "data" in a.body) {
    return { status: a.status, body: { ...a.body, data: payload } };
  }
  return { status: a.status, body: payload };
}

function first(answers: WorkerAnswer[]): Merged {
  const a = [...answers].sort((x, y) => x.worker - y.worker)[0];
  return a
    ? { status: a.status, body: a.body }
    : { status: 503, body: { code: 503, msg: "no worker answered" } };
}
