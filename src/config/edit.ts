/**
 * A config change as the admin makes it: element paths and new values are written into the file's
 * text (xml_edit.ts, comments kept), the result is loaded exactly as a start would load it (file +
 * environment) so every rule applies, and the difference from the running config is listed before
 * anything is saved. Saving keeps the previous file as `<file>.bak` and replaces the file atomically.
 */
import { ConfigError } from "../core/errors.ts";
import { leafPaths } from "./_spec.ts";
import { loadConfig } from "./load.ts";
import type { Config } from "./schema.ts";
import { XML_TEXT_FIELDS } from "./sections.ts";
import { setXmlValue } from "./xml_edit.ts";

export interface ConfigChange {
  /** Dotted element path, e.g. "http.hlsduration". */
  path: string;
  from: unknown;
  to: unknown;
}

const LEAVES = new Set(leafPaths().map((p) => p.join(".")));
const SECRET = new Set(["admin.password", "srt.passphrase"]);

function at(o: unknown, path: string[]): unknown {
  let v = o;
  for (const k of path) v = (v as Record<string, unknown> | undefined)?.[k];
  return v;
}

/**
 * The file text with `changes` written in, the config it gives (with `env` on top) and the elements
 * whose effective value changes. Throws ConfigError naming the element, the value and the rule.
 */
export function planConfigEdit(
  fileText: string,
  changes: Record<string, unknown>,
  running: Config,
  env: Record<string, string> = {},
): { text: string; config: Config; diff: ConfigChange[] } {
  let text = fileText;
  for (const [path, value] of Object.entries(changes)) {
    if (!LEAVES.has(path)) throw new ConfigError(`config element ${path} is unknown: no such element`);
    if (value === null || typeof value === "object") {
      throw new ConfigError(`config ${path}: the value must be text, a number or a boolean`);
    }
    const segs = path.split(".");
    // A value equal to the one in force is not written: smart_rtmpd's admin posts every element, and
    // values the environment sets (ESTUARY_*) must not end up in the file.
    if (String(value) === String(at(running, segs) ?? "")) continue;
    text = setXmlValue(text, segs, String(value), segs.length === 2 ? XML_TEXT_FIELDS[segs[0]] : undefined);
  }
  const { config } = loadConfig({ text, env });
  const diff: ConfigChange[] = [];
  for (const p of LEAVES) {
    const segs = p.split(".");
    const [from, to] = [at(running, segs), at(config, segs)];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    diff.push(
      SECRET.has(p)
        ? { path: p, from: from ? "********" : "", to: to ? "********" : "" }
        : { path: p, from, to },
    );
  }
  return { text, config, diff };
}

/** Writes `text` to `file` atomically, keeping the previous content as `<file>.bak`. */
export async function saveConfigFile(file: string, text: string): Promise<void> {
  const old = await Deno.readFile(file).catch(() => null);
  if (old) await Deno.writeFile(`${file}.bak`, old);
  const tmp = `${file}.tmp-${Date.now()}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, file);
}
