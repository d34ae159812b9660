/**
 * Builds the built-in pages: bundles `web/app/main.ts` (the player's own TypeScript) and each player
 * library (`web/lib/*.ts`: hls.js, mpegts.js, dash.js from npm, pinned in deno.json) with
 * `deno bundle --platform browser --minify`, and copies the HTML and CSS, into `dist/web/`.
 * Skips the work when nothing changed since the last build (a stamp of the inputs' contents), so
 * `deno task start` stays quick. Usage: deno run -A web/build.ts [--force]
 */
import { configMeta } from "./config_meta.ts";

const WEB = new URL(".", import.meta.url);
const ROOT = new URL("..", WEB);
const OUT = new URL("dist/web/", ROOT);
const path = (u: URL) => decodeURIComponent(u.pathname).replace(/^\/([A-Za-z]:\/)/, "$1");

/** Entry (relative to web/) → output (relative to dist/web/). */
const BUNDLES: [string, string][] = [
  ["app/main.ts", "app.js"],
  ["admin/main.ts", "admin/app.js"],
  ["lib/hls.ts", "lib/hls.js"],
  ["lib/mpegts.ts", "lib/mpegts.js"],
  ["lib/dash.ts", "lib/dash.js"],
];
const COPIES = ["index.html", "player.html", "publish.html", "style.css", "admin/index.html"];

async function* files(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* files(u);
    else yield u;
  }
}

/** A digest of every input: web/ sources, the pinned versions and the lock file. */
async function stampOfInputs(): Promise<string> {
  const inputs: URL[] = [
    new URL("deno.json", ROOT),
    new URL("deno.lock", ROOT),
    new URL("docs/config.md", ROOT),
  ];
  for await (const f of files(WEB)) inputs.push(f);
  inputs.sort((a, b) => a.href < b.href ? -1 : 1);
  const parts: Uint8Array[] = [];
  for (const f of inputs) {
    parts.push(new TextEncoder().encode(f.href.slice(ROOT.href.length) + "\0"));
    parts.push(await Deno.readFile(f).catch(() => new Uint8Array()));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, (o += p.length) - p.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function main(): Promise<number> {
  const stampFile = new URL(".stamp", OUT);
  const stamp = await stampOfInputs();
  const force = Deno.args.includes("--force");
  if (!force && (await Deno.readTextFile(stampFile).catch(() => "")) === stamp) return 0;
  const t0 = performance.now();
  await Deno.mkdir(new URL("lib/", OUT), { recursive: true });
  await Deno.mkdir(new URL("admin/", OUT), { recursive: true });
  for (const [entry, out] of BUNDLES) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "-o",
        path(new URL(out, OUT)),
        path(new URL(entry, WEB)),
      ],
      cwd: path(ROOT),
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) {
      console.error(`web build: bundling web/${entry} failed:\n${new TextDecoder().decode(r.stderr)}`);
      return 1;
    }
  }
  for (const f of COPIES) await Deno.copyFile(new URL(f, WEB), new URL(f, OUT));
  const meta = configMeta(await Deno.readTextFile(new URL("docs/config.md", ROOT)));
  await Deno.writeTextFile(new URL("admin/config_meta.json", OUT), JSON.stringify(meta));
  await Deno.writeTextFile(stampFile, stamp);
  console.error(`web build: dist/web in ${Math.round(performance.now() - t0)} ms`);
  return 0;
}

Deno.exit(await main());
