/**
 * The configuration: the single source of defaults, validation and types. Field names are
 * smart_rtmpd's element names (lower case), so `config.http.hlsduration` is `<http><hlsduration>`.
 * The sections and their value rules are in sections.ts; rules across elements in _checks.ts.
 * docs/config.md describes every element.
 */
import { Base, type Config } from "./sections.ts";
import { checkConfig } from "./_checks.ts";

export { type Config, XML_TEXT_FIELDS } from "./sections.ts";

/** Parses and validates a plain object (strings from XML, or JSON values) into a Config. */
// A transform, not superRefine: it must not run on a half-parsed object when a field already failed.
export const ConfigSchema = Base.transform((c, ctx) => {
  checkConfig(c, ctx);
  return c;
});
/** A top-level element of config.xml: the unit of live reload. */
export type SectionName = keyof Config;
export const SECTION_NAMES = Object.freeze(
  Object.keys(ConfigSchema.parse({})) as SectionName[],
);

/** The built-in defaults (what runs with no config file). A fresh object each call. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
