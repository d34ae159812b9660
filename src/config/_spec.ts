/**
 * The element tree the schema accepts, read from the zod schema itself so the element list has
 * one source. xml.ts walks it to map XML and to name unknown elements; env.ts derives variable names.
 */
import type { z } from "zod";
import { ConfigSchema } from "./schema.ts";

export type Spec =
  | { kind: "leaf" }
  | { kind: "object"; fields: Record<string, Spec> }
  | { kind: "array"; element: Spec };

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
};

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "catch", "readonly", "nonoptional"]);

export function specOf(schema: z.ZodType): Spec {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (WRAPPERS.has(def.type) && def.innerType) return specOf(def.innerType);
  if (def.type === "pipe" && def.in && def.out) {
    // A preprocess is pipe(transform, real); a .transform() is pipe(real, transform).
    const inType = (def.in as unknown as { _zod: { def: Def } })._zod.def.type;
    return specOf(inType === "transform" ? def.out : def.in);
  }
  if (def.type === "object" && def.shape) {
    const fields: Record<string, Spec> = {};
    for (const [k, v] of Object.entries(def.shape)) fields[k] = specOf(v);
    return { kind: "object", fields };
  }
  if (def.type === "array" && def.element) return { kind: "array", element: specOf(def.element) };
  return { kind: "leaf" };
}

export const CONFIG_SPEC = specOf(ConfigSchema) as Extract<Spec, { kind: "object" }>;

/** Every settable leaf as a path, arrays excluded: [["rtmp","port"], ["authurl","timeout"], …]. */
export function leafPaths(spec: Spec = CONFIG_SPEC, prefix: string[] = []): string[][] {
  if (spec.kind === "leaf") return [prefix];
  if (spec.kind === "array") return [];
  return Object.entries(spec.fields).flatMap(([k, s]) => leafPaths(s, [...prefix, k]));
}
