/**
 * The configuration: the single source of defaults, validation and types. Field names are
 * smart_rtmpd's element names (lower case), so `config.http.hlsduration` is `<http><hlsduration>`.
 * The sections and their value rules are in sections.ts; rules across elements in _checks.ts.
 * docs/config.md describes every element.
 *
 * The zod schema is built when a config is parsed and held only through a WeakRef: between loads (the
 * whole life of a running server, usually) the garbage collector may free it, and the next parse
 * builds it again (a few ms).
 */
import type { z } from "zod";
import { buildBase, type Config } from "./sections.ts";
import { checkConfig } from "./_checks.ts";

export { type Config, XML_TEXT_FIELDS } from "./sections.ts";

// A transform, not superRefine: it must not run on a half-parsed object when a field already failed.
const build = () =>
  buildBase().transform((c, ctx) => {
    checkConfig(c, ctx);
    return c;
  });

export type ConfigSchemaType = ReturnType<typeof build>;

let held: WeakRef<ConfigSchemaType> | undefined;

/** The schema that parses and validates a plain object (strings from XML, or JSON values) into a Config. */
export function configSchema(): ConfigSchemaType {
  let s = held?.deref();
  if (!s) {
    s = build();
    held = new WeakRef(s);
  }
  return s;
}

/** Parses and validates a plain object (strings from XML, or JSON values) into a Config. */
export const ConfigSchema = {
  parse: (input: unknown): Config => configSchema().parse(input),
  safeParse: (input: unknown): z.ZodSafeParseResult<Config> => configSchema().safeParse(input),
};

/** A top-level element of config.xml: the unit of live reload. */
export type SectionName = keyof Config;
export const SECTION_NAMES = Object.freeze(
  Object.keys(ConfigSchema.parse({})) as SectionName[],
);

/** The built-in defaults (what runs with no config file). A fresh object each call. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
