/**
 * The server bundle: main.ts and everything it imports as minified JavaScript in `dist/run/`
 * (`deno bundle --code-splitting`, so what main.ts imports lazily — WebRTC, the admin API, the
 * transcoders' codecs — stays in chunks loaded on first use), with linked source maps that Deno
 * reads only to print a stack trace (TypeScript file and line, as from source).
 *
 * Why: `deno run main.ts` hands V8 each module's transpiled source with an inline source map that
 * carries the whole TypeScript file again (base64), and V8 keeps every module's source for lazy
 * compilation: about 3 MB of characters, most of them maps and comments, held by an idle server.
 * The bundle holds only the code (idle RSS 69 → 57 MB on this machine, docs/performance.md).
 * `deno task start` and `deno task build` run it; the tests run the sources.
 *
 * Skips the work when nothing changed since the last bundle (a stamp of the inputs' contents), as
 * web/build.ts does. Usage: deno run -A tools/bundle.ts [--force]
 */
import { BUNDLE_ENTRY } from "../src/cli/program_dir.ts";

const ROOT = new URL("..", import.meta.url);
const OUT = new URL(BUNDLE_ENTRY.slice(0, BUNDLE_ENTRY.lastIndexOf("/") + 1), ROOT);
const path = (u: URL) => decodeURIComponent(u.pathname).replace(/^\/([A-Za-z]:\/)/, "$1");

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* sources(u);
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) yield u;
  }
}

/** A digest of every input: main.ts, src/ (tests aside), the pinned versions, the lock file and this file. */
async function stampOfInputs(): Promise<string> {
  const inputs = [
    new URL("main.ts", ROOT),
    new URL("deno.json", ROOT),
    new URL("deno.lock", ROOT),
    new URL(import.meta.url),
  ];
  for await (const f of sources(new URL("src/", ROOT))) inputs.push(f);
  inputs.sort((a, b) => a.href < b.href ? -1 : 1);
  const hash = await crypto.subtle.digest(
    "SHA-256",
    new Uint8Array(
      (await Promise.all(inputs.map(async (f) => [
        ...new TextEncoder().encode(f.href.slice(ROOT.href.length) + "\0"),
        ...await Deno.readFile(f).catch(() => new Uint8Array()),
      ]))).flat(),
    ),
  );
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bundles the server into dist/run/ unless it is up to date; false (with the reason printed) on failure. */
export async function bundleServer(force = false): Promise<boolean> {
  const stampFile = new URL(".stamp", OUT);
  const stamp = await stampOfInputs();
  const entry = new URL(BUNDLE_ENTRY, ROOT);
  const exists = await Deno.stat(entry).then(() => true, () => false);
  if (!force && exists && (await Deno.readTextFile(stampFile).catch(() => "")) === stamp) return true;
  const t0 = performance.now();
  // Chunk names carry content hashes: clear the old ones so the folder holds one build.
  await Deno.remove(OUT, { recursive: true }).catch(() => {});
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--code-splitting",
      "--minify",
      "--keep-names", // error and class names stay readable in logs
      "--sourcemap=linked",
      // werift (CommonJS that requires node: modules as it runs) and libopus' WebAssembly stay npm
      // packages, resolved by Deno through deno.json as from source: esbuild's ESM output cannot
      // do a dynamic require.
      "--external",
      "werift",
      "--external",
      "@evan/opus",
      "--outdir",
      path(OUT),
      path(new URL("main.ts", ROOT)),
    ],
    cwd: path(ROOT),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) {
    console.error(`bundle: deno bundle main.ts failed:\n${new TextDecoder().decode(r.stderr)}`);
    return false;
  }
  await Deno.writeTextFile(stampFile, stamp);
  console.error(`bundle: ${BUNDLE_ENTRY} and its chunks in ${Math.round(performance.now() - t0)} ms`);
  return true;
}

if (import.meta.main) Deno.exit((await bundleServer(Deno.args.includes("--force"))) ? 0 : 1);
