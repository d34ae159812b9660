/**
 * The `--workers` part of the bench report: Estuary with 2 workers against 1 in the same run — CPU
 * per delivered gigabit as a ratio, how the CPU split over the server's processes and the machine's
 * cores, and the most players each delivered at ≥ 99 % (the ceiling among the levels measured).
 */
import type { Result } from "./types.ts";

const f = (n: number, d = 2) => Number.isFinite(n) ? n.toFixed(d) : "-";

/** The largest level whose every player got ≥ 99 % of the expected bytes, per peer and protocol. */
export function ceilings(results: Result[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results) {
    const key = `${r.peer} ${r.proto}`;
    if (r.min_share >= 0.99 && r.connected === r.n) out.set(key, Math.max(out.get(key) ?? 0, r.n));
    else if (!out.has(key)) out.set(key, 0);
  }
  return out;
}

export function workersTable(results: Result[]): string {
  const one = results.filter((r) => r.peer === "estuary");
  const many = results.filter((r) => /^estuary-\d+w$/.test(r.peer));
  if (many.length === 0) return "";
  const lines = ["", "Workers: Estuary with 2 workers against 1 (same run):", ""];
  lines.push(
    "| proto | players | CPU s/Gbit, 1 worker | 2 workers | ratio | min share 1 / 2 | CPU s per process (2 workers) | cores busy % (2 workers, load generator included) |",
  );
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const r of many) {
    const base = one.find((x) => x.proto === r.proto && x.profile === r.profile && x.n === r.n);
    lines.push(
      `| ${r.proto} | ${r.n} | ${f(base?.cpu_per_gbit ?? NaN, 3)} | ${f(r.cpu_per_gbit, 3)} | ${
        base ? f(r.cpu_per_gbit / base.cpu_per_gbit) + "×" : "-"
      } | ${base ? f(base.min_share * 100, 1) : "-"} / ${f(r.min_share * 100, 1)} % | ${
        (r.cpu_by_process ?? []).map((s) => f(s, 1)).join(" + ")
      } | ${(r.core_busy ?? []).map((c) => f(c, 0)).join(" / ")} |`,
    );
  }
  const c = ceilings(results);
  lines.push("");
  lines.push("Most players delivered at ≥ 99 % among the levels measured:");
  lines.push("");
  for (const [key, n] of [...c.entries()].sort()) lines.push(`- ${key}: ${n || "none"}`);
  return lines.join("\n");
}
