import { Hub, type HubOptions } from "../../src/core/mod.ts";

/** A Hub with the server's defaults, for tests that start one protocol server directly. */
export function testHub(overrides: Partial<HubOptions> = {}): Hub {
  return new Hub({
    liveApps: ["live"],
    recApps: ["rec"],
    gop: { enabled: true, maxFrames: 1024, maxBytes: 32 << 20 },
    maxIdleMs: 12_000,
    ...overrides,
  });
}

/** Polls until `fn` returns a truthy value or the time runs out. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs: number,
  what = "condition",
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
