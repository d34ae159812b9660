/**
 * `deno task build`: one self-contained executable per OS/architecture under dist/, with html/ and
 * conf/ embedded, zipped with conf/, html/ and an empty vod/ beside it. It compiles the server bundle
 * (dist/run/main.js, which the task builds first with tools/bundle.ts), the same program `deno task
 * start` runs.
 *
 * deno compile needs a runtime base (denort) for each target. It downloads it from dl.deno.land,
 * which is unreachable on closed networks; set DENORT_BIN to a local denort binary for the host
 * target (only the host target can be built that way). Without either, the build stops with one
 * clear message instead of hanging on the download.
 *
 *   deno task build                 all targets (needs internet)
 *   deno task build --host          only this machine's target
 *   DENORT_BIN=/path/denort deno task build --host
 */

import { BUNDLE_ENTRY } from "./src/cli/program_dir.ts";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const host = `${Deno.build.arch}-${
  Deno.build.os === "linux"
    ? "unknown-linux-gnu"
    : Deno.build.os === "darwin"
    ? "apple-darwin"
    : "pc-windows-msvc"
}`;

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return res.ok || res.status < 500;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const denort = Deno.env.get("DENORT_BIN");
  const hostOnly = Deno.args.includes("--host") || Boolean(denort);
  const targets = hostOnly ? [host] : TARGETS;
  if (denort) {
    try {
      Deno.statSync(denort);
    } catch {
      console.error(`build: DENORT_BIN=${denort} does not exist: set it to a denort binary for ${host}`);
      return 1;
    }
  } else if (!(await reachable("https://dl.deno.land/"))) {
    console.error(
      "build: no runtime base for deno compile: dl.deno.land is unreachable and DENORT_BIN is not set. " +
        `Set DENORT_BIN to a denort ${Deno.version.deno} binary for ${host} (from the deno release zip 'denort-${host}.zip').`,
    );
    return 1;
  }
  await Deno.mkdir("dist", { recursive: true });
  for (const target of targets) {
    const out = `dist/estuary-${target}${target.includes("windows") ? ".exe" : ""}`;
    const args = [
      "compile",
      "--allow-all",
      "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=25",
      "--target",
      target,
      "--include",
      "html",
      "--include",
      "dist/web",
      "--include",
      "conf",
      "--output",
      out,
      BUNDLE_ENTRY, // tools/bundle.ts: the code without each module's inline source map
    ];
    console.log(`build: ${target} → ${out}`);
    const r = await new Deno.Command(Deno.execPath(), { args, env: denort ? { DENORT_BIN: denort } : {} })
      .output();
    if (!r.success) {
      console.error(`build: deno compile for ${target} failed:\n${new TextDecoder().decode(r.stderr)}`);
      return 1;
    }
  }
  return 0;
}

Deno.exit(await main());
