/**
 * Loading: defaults ← XML file ← environment (ESTUARY_*) ← CLI overrides, then one schema parse.
 * All layers write into one plain object of raw values, so a bad value is reported once, with the
 * element path, the raw value, the rule, and which layer supplied it.
 */
import type { Issue } from "./_validate.ts";
import { ConfigError } from "../core/errors.ts";
import { configWarnings } from "./_checks.ts";
import { CONFIG_SPEC, leafPaths } from "./_spec.ts";
import { envOverrides } from "./env.ts";
import { type Config, ConfigSchema, defaultConfig, XML_TEXT_FIELDS } from "./schema.ts";
import { mapItem, parseXmlRoot } from "./xml.ts";

/** CLI overrides: nested (`{ rtmp: { port: 0 } }`) or dotted (`{ "rtmp.port": 0 }`); undefined = not given. */
export type Overrides = { [key: string]: string | number | boolean | undefined | Overrides };

export interface LoadOptions {
  /** Path of config.xml. Omitted: built-in defaults (the program runs with no file). */
  file?: string;
  /** XML text instead of a file (e.g. the body of POST /api/config); `file` names it in messages. */
  text?: string;
  /** The environment, e.g. `Deno.env.toObject()`. Omitted: no environment overrides (pure). */
  env?: Readonly<Record<string, string | undefined>>;
  overrides?: Overrides;
}

export interface ConfigSource {
  /** The file read, or null for built-in defaults (or inline text without a name). */
  file: string | null;
  /** Names of the ESTUARY_* variables that were applied. */
  env: string[];
  /** Dotted paths set by overrides. */
  overrides: string[];
}

export interface LoadedConfig {
  config: Config;
  /** Unknown elements, near-miss env names, settings that will not take effect. Not fatal. */
  warnings: string[];
  source: ConfigSource;
}

type Raw = Record<string, unknown>;
const LEAVES = new Set(leafPaths().map((p) => p.join(".")));

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const raw: Raw = {};
  const origins = new Map<string, string>();
  const warnings: string[] = [];
  const source: ConfigSource = { file: opts.file ?? null, env: [], overrides: [] };

  if (opts.file !== undefined || opts.text !== undefined) {
    const file = opts.file;
    const name = file === undefined ? "config text" : `config file ${file}`;
    const text = opts.text ?? readFile(file ?? "");
    const { item, warnings: w } = parseXmlRoot(text, name, "config");
    warnings.push(...w);
    const mapped = mapItem(item, CONFIG_SPEC, [], { name, textFields: XML_TEXT_FIELDS, warnings }) as Raw;
    Object.assign(raw, mapped);
    for (const p of LEAVES) if (getAt(raw, p.split(".")) !== undefined) origins.set(p, name);
  }

  const env = envOverrides(opts.env ?? {});
  warnings.push(...env.warnings);
  for (const o of env.overrides) {
    setAt(raw, o.path, o.value);
    origins.set(o.path.join("."), `environment ${o.name}`);
    source.env.push(o.name);
  }

  for (const [path, value] of flatten(opts.overrides ?? {})) {
    const dotted = path.join(".");
    if (!LEAVES.has(dotted)) throw new ConfigError(`config override ${dotted} is unknown: no such element`);
    setAt(raw, path, value);
    origins.set(dotted, "override");
    source.overrides.push(dotted);
  }

  const config = validate(raw, origins);
  warnings.push(...configWarnings(config));
  return { config, warnings, source };
}

/** Validates a plain object (raw strings or JSON values, e.g. from the API). Unknown keys are dropped. */
export function parseConfig(input: unknown): Config {
  return validate(input, new Map());
}

function validate(raw: unknown, origins: Map<string, string>): Config {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const [first, ...rest] = r.error.issues;
  let msg = describeIssue(first, raw, origins);
  if (rest.length > 0) msg += `; also invalid: ${rest.map((i) => i.path.join(".")).join(", ")}`;
  throw new ConfigError(msg, { cause: r.error });
}

function describeIssue(issue: Issue, raw: unknown, origins: Map<string, string>): string {
  const path = issue.path.map(String);
  const dotted = path.join(".");
  let value = getAt(raw, path);
  if (value === undefined) {
    value = "input" in issue && issue.input !== undefined ? issue.input : getAt(defaultConfig(), path);
  }
  const shown = value !== null && typeof value === "object" ? "<element>" : JSON.stringify(value);
  const from = origins.get(dotted);
  return `config ${dotted} = ${shown} is invalid: ${issue.message}${from ? ` (from ${from})` : ""}`;
}

function readFile(file: string): string {
  try {
    return Deno.readTextFileSync(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ConfigError(`config file ${file} cannot be read: ${why}`, { cause: e });
  }
}

function flatten(o: Overrides, prefix: string[] = []): [string[], string | number | boolean][] {
  const out: [string[], string | number | boolean][] = [];
  for (const [k, v] of Object.entries(o)) {
    const path = [...prefix, ...k.split(".")];
    if (v === undefined) continue;
    if (typeof v === "object" && v !== null) out.push(...flatten(v, path));
    else out.push([path, v]);
  }
  return out;
}

function getAt(o: unknown, path: readonly string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Raw)[k];
  }
  return cur;
}

function setAt(o: Raw, path: readonly string[], value: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Raw;
  }
  cur[path[path.length - 1]] = value;
}
