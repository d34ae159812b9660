/**
 * Environment overrides: `ESTUARY_<PATH>` where PATH is the element path joined by "_" in upper
 * case. Attributes and element text count as elements: ESTUARY_RTMP_PORT, ESTUARY_AUTHURL_TIMEOUT,
 * ESTUARY_AUTHURL_HOST (the text of <authurl>), ESTUARY_RTMP_RTP_H264, ESTUARY_ELAPSE.
 * Repeated elements (webrtc/host) cannot be set this way.
 */
import { CONFIG_SPEC, leafPaths } from "./_spec.ts";

export const ENV_PREFIX = "ESTUARY_";

export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.join("_").toUpperCase();
}

const BY_NAME = new Map<string, string[]>();
for (const p of leafPaths()) {
  const name = envName(p);
  // Two paths with one name would make an override ambiguous; the schema must never allow it.
  if (BY_NAME.has(name)) {
    throw new Error(`env name ${name} is ambiguous: ${p.join(".")} and ${BY_NAME.get(name)}`);
  }
  BY_NAME.set(name, p);
}
const SECTIONS = Object.keys(CONFIG_SPEC.fields).map((s) => envName([s]));

export interface EnvOverride {
  name: string;
  path: string[];
  value: string;
}

/** The ESTUARY_* variables that name a config element, and warnings for near misses. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): {
  overrides: EnvOverride[];
  warnings: string[];
} {
  const overrides: EnvOverride[] = [];
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = BY_NAME.get(name);
    if (path) overrides.push({ name, path, value });
    // Other ESTUARY_* variables (ESTUARY_CONFIG…) belong to the CLI; warn only on a likely typo.
    else if (SECTIONS.some((s) => name.startsWith(s + "_"))) {
      warnings.push(`environment variable ${name} names no config element (ignored)`);
    }
  }
  return { overrides, warnings };
}
