/**
 * The element tree the schema accepts, read from the schema itself so the element list has
 * one source. xml.ts walks it to map XML and to name unknown elements; env.ts derives variable names.
 */
import type { Schema, Spec } from "./_validate.ts";
import { ConfigSchema } from "./schema.ts";

export type { Spec };

// deno-lint-ignore no-explicit-any
export function specOf(schema: Schema<any>): Spec {
  return schema.spec();
}

export const CONFIG_SPEC = specOf(ConfigSchema) as Extract<Spec, { kind: "object" }>;

/** Every settable leaf as a path, arrays excluded: [["rtmp","port"], ["authurl","timeout"], …]. */
export function leafPaths(spec: Spec = CONFIG_SPEC, prefix: string[] = []): string[][] {
  if (spec.kind === "leaf") return [prefix];
  if (spec.kind === "array") return [];
  return Object.entries(spec.fields).flatMap(([k, s]) => leafPaths(s, [...prefix, k]));
}
