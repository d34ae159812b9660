/**
 * `estuary --check-config [FILE]`: validates a config file as the server would load it (file, then
 * ESTUARY_* environment, then every service's settings, which also reads TLS certificates), without
 * starting anything. For CI of users' configs: the same messages as a refused start or reload.
 */
import { loadConfig } from "../config/mod.ts";
import { SERVICES } from "../server.ts";

export interface CheckResult {
  ok: boolean;
  /** What was checked: the file, or "built-in defaults". */
  what: string;
  warnings: string[];
  /** The first error, naming the element, the value and the rule. */
  error?: string;
}

export function checkConfig(opts: {
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
  root: string;
}): CheckResult {
  const what = opts.file ?? "built-in defaults";
  try {
    const loaded = loadConfig({ file: opts.file, env: opts.env });
    for (const m of SERVICES) m.settings(loaded.config, opts.root);
    return { ok: true, what, warnings: loaded.warnings };
  } catch (err) {
    return { ok: false, what, warnings: [], error: (err as Error).message };
  }
}
