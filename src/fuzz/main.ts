/**
 * `deno task fuzz [--seed N] [--inputs N] [--only name[,name]] [--slow-ms N] [--save DIR]`: runs every parser on
 * mutated table inputs and prints, per target, inputs, inputs/s, refusals and failures. Exits 1 on
 * any failure, printing each failing input as hex (and writing it to DIR/<target>-<seed>-<n>.bin
 * with --save) so it can become a row in the parser's table.
 */
import { parseArgs } from "node:util";
import { TARGETS } from "./targets.ts";
import { hex, runTarget, type TargetReport } from "./run.ts";

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string" },
      inputs: { type: "string", default: "1000000" },
      only: { type: "string" },
      "slow-ms": { type: "string", default: "50" },
      save: { type: "string" },
    },
  });
  const seed = values.seed !== undefined
    ? Number(values.seed) >>> 0
    : (Date.now() ^ (Math.random() * 2 ** 32)) >>> 0;
  const inputs = Number(values.inputs);
  const only = values.only?.split(",");
  const targets = only ? TARGETS.filter((t) => only.includes(t.name)) : TARGETS;
  if (targets.length === 0) {
    console.error(`no target named ${values.only}: choose from ${TARGETS.map((t) => t.name).join(", ")}`);
    return 2;
  }
  console.log(`fuzz seed ${seed}, ${inputs} inputs per target (reproduce: --seed ${seed})`);
  console.log(row(["target", "inputs", "inputs/s", "refused", "slowest ms", "heap +MB", "failures"]));
  const reports: TargetReport[] = [];
  for (const t of targets) {
    const r = await runTarget(t, { seed, inputs, slowMs: Number(values["slow-ms"]) });
    reports.push(r);
    console.log(row([
      r.name,
      String(r.inputs),
      String(Math.round(r.inputs / (r.ms / 1000))),
      String(r.refused),
      r.slowestMs.toFixed(1),
      (r.heapGrowth / 1048576).toFixed(1),
      String(r.failures.length),
    ]));
    r.failures.forEach((f, i) => {
      console.log(`  ${f.kind}: ${f.message}\n    input ${hex(f.input)}`);
      if (values.save) Deno.writeFileSync(`${values.save}/${r.name}-${seed}-${i}.bin`, f.input);
    });
  }
  return reports.some((r) => r.failures.length > 0) ? 1 : 0;
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(10))).join(" ");
}

if (import.meta.main) Deno.exit(await main());
