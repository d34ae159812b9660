/**
 * Leaf builders for the config schema. XML hands us strings; JSON (the API) and CLI flags may hand
 * us numbers and booleans. Every builder accepts both, trims text, and treats a blank value as
 * "not given" so the default applies: `<ip></ip>` means unset, exactly as in smart_rtmpd.
 * Each rule string is the "what is allowed" part of the error message.
 */
import * as z from "./_validate.ts";

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

/** One value check: `ok` or the message `rule`. */
function valid<T>(ok: (v: unknown) => boolean, rule: string) {
  return z.custom<T>(ok, { error: rule });
}

/** An integer in min..max (inclusive). */
export function int(def: number, min: number, max: number, rule = `must be an integer ${min}..${max}`) {
  return z.preprocess(
    toInt,
    valid<number>((n) => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= max, rule)
      .default(def),
  );
}

/** A TCP/UDP port; 0 asks the OS for any free port (tests use it). */
export function port(def: number) {
  return int(def, 0, 65535);
}

/** An integer from a fixed set, e.g. SRT key lengths or recording modes. */
export function intOf(def: number, allowed: readonly number[], rule: string) {
  return z.preprocess(toInt, valid<number>((n) => allowed.includes(n as number), rule).default(def));
}

const TRUTHY = ["true", "1", "yes", "on"];
const FALSY = ["false", "0", "no", "off"];
const BOOL_RULE = "must be true or false (also 1/0, yes/no, on/off)";

/** A boolean from true/false, 1/0, yes/no, on/off (any case); a plain truthiness test would turn "false" into true. */
export function bool(def: boolean) {
  return z.preprocess(
    (v) => {
      const b = blank(v);
      if (typeof b !== "string") return b;
      const w = b.toLowerCase();
      return TRUTHY.includes(w) ? true : FALSY.includes(w) ? false : b;
    },
    valid<boolean>((b) => typeof b === "boolean", BOOL_RULE).default(def),
  );
}

function toText(v: unknown): unknown {
  return typeof v === "number" ? String(v) : blank(v);
}

/** Free text; optionally checked against a pattern. */
export function text(def: string, check?: { re: RegExp; rule: string }) {
  const ok = check
    ? (v: unknown) => typeof v === "string" && check.re.test(v)
    : (v: unknown) => typeof v === "string";
  return z.preprocess(toText, valid<string>(ok, check?.rule ?? "must be text").default(def));
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
  const ok = (v: unknown) => typeof v === "string" && splitList(v).every((x) => item.test(x));
  return z.preprocess(toText, valid<string>(ok, rule).default(def));
}

/** A section element: a blank element (`<log></log>`) or a missing one means all defaults. */
export function section<S extends z.Shape>(shape: S) {
  return z.preprocess(
    (v) => (blank(v) === undefined ? {} : v),
    z.object(shape, { error: "must be an element with child elements" }),
  );
}
