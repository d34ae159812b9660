/**
 * Live reload: which top-level sections differ between two configs. The server restarts only the
 * services that read a changed section; streams elsewhere keep flowing. Note the cross-section
 * readers: `ssl` feeds the RTMPS, RTSPS and HTTPS listeners, `nat` feeds every URL handed out, and
 * `authurl` feeds admission for all protocols.
 */
import { type Config, SECTION_NAMES, type SectionName } from "./schema.ts";

export function diffConfig(a: Config, b: Config): Set<SectionName> {
  const changed = new Set<SectionName>();
  for (const s of SECTION_NAMES) {
    if (!equal(a[s], b[s])) changed.add(s);
  }
  return changed;
}

function equal(x: unknown, y: unknown): boolean {
  if (Object.is(x, y)) return true;
  if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  return kx.every((k) =>
    Object.hasOwn(y, k) && equal((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])
  );
}
