/** Headless Chromium for player tests: the flags TESTING.md lists, and player libraries from npm. */
import { run } from "./tools.ts";

/** Chromium flags from TESTING.md (headless, no network beyond loopback, autoplay allowed). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

/**
 * A file of an npm package from Deno's npm cache, fetched there first if needed (`deno cache
 * --no-lock` from a temp folder, so the repo's deno.json and deno.lock are left alone).
 */
export async function npmFile(pkg: string, version: string, path: string): Promise<string> {
  const tmp = await Deno.makeTempDir();
  try {
    const cache = await run("deno", ["cache", "--no-lock", `npm:${pkg}@${version}`], {
      timeoutMs: 120_000,
      cwd: tmp,
    });
    if (cache.code !== 0) throw new Error(`deno cache npm:${pkg}@${version} failed: ${cache.stderr}`);
    const info = await run("deno", ["info", "--json"], { timeoutMs: 20_000, cwd: tmp });
    const npmCache = JSON.parse(info.stdout).npmCache as string;
    const file = `${npmCache}/registry.npmjs.org/${pkg}/${version}/${path}`;
    await Deno.stat(file);
    return file;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
