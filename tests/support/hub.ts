import { defaultConfig } from "../../src/config/mod.ts";
import { Hub, type HubOptions, type Stream } from "../../src/core/mod.ts";
import { hubOptions } from "../../src/hub_options.ts";

/**
 * A Hub with exactly the server's admission and GOP options (hubOptions of the built-in defaults),
 * for the few tests that drive one protocol object directly. End-to-end tests use startTestServer.
 */
export function testHub(overrides: Partial<HubOptions> = {}): Hub {
  return new Hub({ ...hubOptions(defaultConfig()), ...overrides });
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

/**
 * Waits until `key` is published with video frames flowing (and an audio track unless `audio` is
 * false); returns the Stream, whose stats count what the source delivered.
 */
export async function waitLive(
  hub: Hub,
  key: string,
  opts: { timeoutMs?: number; audio?: boolean; videoFrames?: number } = {},
): Promise<Stream> {
  const { timeoutMs = 15_000, audio = true, videoFrames = 1 } = opts;
  return await waitFor(
    () => {
      const s = hub.get(key);
      return s?.videoTrack && (!audio || s.audioTrack) && s.stats.videoFrames >= videoFrames ? s : undefined;
    },
    timeoutMs,
    `${key} to go live`,
  );
}
