/**
 * Leaf builders for the config schema. XML hands us strings; JSON (the API) and CLI flags may hand
 * us numbers and booleans. Every builder accepts both, trims text, and treats a blank value as
 * "not given" so the default applies: `<ip></ip>` means unset, exactly as in smart_rtmpd.
 * Each rule string is the "what is allowed" part of the error message.
 */
import { z } from "zod";

// No generated parsers: zod's JIT compiles a function per object schema on its first parse, which costs
// more at start-up (tens of ms) than it saves on a config parsed once per load.
z.config({ jitless: true });

/** Blank text, null and undefined mean "use the default". */
export function blank(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") {
    const t = v.trim();
    return t === "" ? undefined : t;
  }
  return v;
}

function toInt(v: unknown): unknown {
  const b = blank(v);
  return typeof b === "string" && /^[+-]?\d+$/.test(b) ? Number(b) : b;
}

/** An integer in min..max (inclusive). */
export function int(def: number, min: number, max: number, rule = `must be an integer ${min}..${max}`) {
  return z.preprocess(
    toInt,
    z.int({ error: rule }).min(min, { error: rule }).max(max, { error: rule }).default(def),
  );
}

/** A TCP/UDP port; 0 asks the OS for any free port (tests use it). */
export function port(def: number) {
  return int(def, 0, 65535);
}

/** An integer from a fixed set, e.g. SRT key lengths or recording modes. */
export function intOf(def: number, allowed: readonly number[], rule: string) {
  return z.preprocess(
    toInt,
    z.int({ error: rule }).refine((n) => allowed.includes(n), { error: rule }).default(def),
  );
}

const TRUTHY = ["true", "1", "yes", "on"];
const FALSY = ["false", "0", "no", "off"];
const BOOL_RULE = "must be true or false (also 1/0, yes/no, on/off)";

/** A boolean with z.stringbool semantics; z.coerce.boolean would turn "false" into true. */
export function bool(def: boolean) {
  return z.preprocess(
    (v) => (typeof v === "boolean" ? String(v) : blank(v)),
    z.stringbool({ truthy: TRUTHY, falsy: FALSY, case: "insensitive", error: BOOL_RULE }).default(def),
  );
}

function toText(v: unknown): unknown {
  return typeof v === "number" ? String(v) : blank(v);
}

/** Free text; optionally checked against a pattern. */
export function text(def: string, check?: { re: RegExp; rule: string }) {
  const s = z.string({ error: check?.rule ?? "must be text" });
  return z.preprocess(toText, (check ? s.regex(check.re, { error: check.rule }) : s).default(def));
}

/** One of a few words, compared case-insensitively and stored in lower case. */
export function oneOf<const T extends readonly [string, ...string[]]>(def: T[number], values: T) {
  const rule = `must be one of ${values.join(", ")}`;
  return z.preprocess(
    (v) => {
      const b = toText(v);
      return typeof b === "string" ? b.toLowerCase() : b;
    },
    z.enum(values, { error: rule }).default(def),
  );
}

/** Splits a comma list, dropping blanks: "live, tv,," → ["live", "tv"]. */
export function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter((x) => x !== "");
}

/** A comma list whose every item matches `item`. */
export function list(def: string, item: RegExp, rule: string) {
  return text(def).refine((s) => splitList(s).every((x) => item.test(x)), { error: rule });
}

/** A section element: a blank element (`<log></log>`) or a missing one means all defaults. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(
    (v) => (blank(v) === undefined ? {} : v),
    z.object(shape, { error: "must be an element with child elements" }),
  );
}
