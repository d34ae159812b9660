/**
 * The few schema builders the configuration needs (objects, lists, one check per value, defaults,
 * pre-processing and transforms), in place of a schema library: the one we used cost about 8 MB of idle
 * memory for its code alone. Imported as `z` so the element tables read as before; the names and
 * behaviour follow that library's where the config relied on them:
 *   - every field of an object is checked and every failure is reported (an issue per value);
 *   - unknown keys of an object are dropped;
 *   - `.default(v)` answers `v` for a missing value without checking it; `.transform()` runs only when
 *     nothing below it failed.
 */

/** One invalid value: where (path of keys and list indexes), what was given, and the rule it broke. */
export interface Issue {
  code: "custom";
  path: (string | number)[];
  message: string;
  input?: unknown;
}

/** What a `.transform()` gets to report a rule spanning several values. */
export interface RefineCtx {
  addIssue(issue: { code: "custom"; path?: (string | number)[]; input?: unknown; message: string }): void;
}

/** The element tree a schema accepts (read by the XML mapping and the environment variables). */
export type Spec =
  | { kind: "leaf" }
  | { kind: "object"; fields: Record<string, Spec> }
  | { kind: "array"; element: Spec };

export class SchemaError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
    this.name = "SchemaError";
  }
}

export type SafeResult<T> = { success: true; data: T } | { success: false; error: SchemaError };

const INVALID: unique symbol = Symbol("invalid");
type Out<T> = T | typeof INVALID;
type Path = (string | number)[];

function copy<T>(v: T): T {
  return v !== null && typeof v === "object" ? structuredClone(v) : v;
}

export abstract class Schema<T> {
  /** Type only: what a successful parse returns. */
  declare readonly _output: T;
  abstract spec(): Spec;
  /** Checks `v` at `path`, pushing an issue per failure; INVALID when anything failed. */
  abstract run(v: unknown, path: Path, issues: Issue[]): Out<T>;

  safeParse(v: unknown): SafeResult<T> {
    const issues: Issue[] = [];
    const out = this.run(v, [], issues);
    if (out === INVALID || issues.length > 0) return { success: false, error: new SchemaError(issues) };
    return { success: true, data: out };
  }

  parse(v: unknown): T {
    const r = this.safeParse(v);
    if (!r.success) throw r.error;
    return r.data;
  }

  /** A missing (undefined) value becomes `def` (a copy), unchecked. */
  default(def: T): Schema<T> {
    return new Wrap<T, T>(this, (v, path, issues) => v === undefined ? copy(def) : this.run(v, path, issues));
  }

  /** A valid value must also pass `ok` (checked after this schema, defaults included). */
  refine(ok: (v: T) => boolean, opts: { error: string }): Schema<T> {
    return new Wrap<T, T>(this, (v, path, issues) => {
      const inner = this.run(v, path, issues);
      if (inner === INVALID || ok(inner)) return inner;
      issues.push({ code: "custom", path, input: inner, message: opts.error });
      return INVALID;
    });
  }

  /** Maps a valid value; `ctx.addIssue` fails it (paths relative to this value). */
  transform<U>(fn: (v: T, ctx: RefineCtx) => U): Schema<U> {
    return new Wrap<T, U>(this, (v, path, issues) => {
      const inner = this.run(v, path, issues);
      if (inner === INVALID) return INVALID;
      let failed = false;
      const out = fn(inner, {
        addIssue(i) {
          failed = true;
          issues.push({
            code: "custom",
            path: [...path, ...(i.path ?? [])],
            input: i.input,
            message: i.message,
          });
        },
      });
      return failed ? INVALID : out;
    });
  }
}

/** A schema around another (default, transform, preprocess): the same element tree. */
class Wrap<I, T> extends Schema<T> {
  constructor(readonly inner: Schema<I>, readonly fn: (v: unknown, path: Path, issues: Issue[]) => Out<T>) {
    super();
  }
  spec(): Spec {
    return this.inner.spec();
  }
  run(v: unknown, path: Path, issues: Issue[]): Out<T> {
    return this.fn(v, path, issues);
  }
}

class Check<T> extends Schema<T> {
  constructor(readonly ok: (v: unknown) => boolean, readonly message: string) {
    super();
  }
  spec(): Spec {
    return { kind: "leaf" };
  }
  run(v: unknown, path: Path, issues: Issue[]): Out<T> {
    if (this.ok(v)) return v as T;
    issues.push({ code: "custom", path, input: v, message: this.message });
    return INVALID;
  }
}

// deno-lint-ignore no-explicit-any
export type Shape = Record<string, Schema<any>>;
export type Infer<S> = S extends Schema<infer T> ? T : never;
export type { Infer as infer };
type ObjectOut<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

class ObjectSchema<S extends Shape> extends Schema<ObjectOut<S>> {
  constructor(readonly shape: S, readonly message: string) {
    super();
  }
  spec(): Spec {
    const fields: Record<string, Spec> = {};
    for (const [k, s] of Object.entries(this.shape)) fields[k] = s.spec();
    return { kind: "object", fields };
  }
  run(v: unknown, path: Path, issues: Issue[]): Out<ObjectOut<S>> {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      issues.push({ code: "custom", path, input: v, message: this.message });
      return INVALID;
    }
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [k, s] of Object.entries(this.shape)) {
      const r = s.run(Object.hasOwn(src, k) ? src[k] : undefined, [...path, k], issues);
      if (r === INVALID) ok = false;
      else out[k] = r;
    }
    return ok ? out as ObjectOut<S> : INVALID;
  }
}

class ArraySchema<T> extends Schema<T[]> {
  constructor(readonly element: Schema<T>, readonly message: string) {
    super();
  }
  spec(): Spec {
    return { kind: "array", element: this.element.spec() };
  }
  run(v: unknown, path: Path, issues: Issue[]): Out<T[]> {
    if (!Array.isArray(v)) {
      issues.push({ code: "custom", path, input: v, message: this.message });
      return INVALID;
    }
    const out: T[] = [];
    let ok = true;
    v.forEach((item, i) => {
      const r = this.element.run(item, [...path, i], issues);
      if (r === INVALID) ok = false;
      else out.push(r);
    });
    return ok ? out : INVALID;
  }
}

/** A value that `ok` accepts; otherwise one issue with the message `error`. */
export function custom<T>(ok: (v: unknown) => boolean, opts: { error: string }): Schema<T> {
  return new Check<T>(ok, opts.error);
}

/** One of `values`, compared exactly. */
export function enumOf<const V extends readonly [string, ...string[]]>(
  values: V,
  opts: { error: string },
): Schema<V[number]> {
  return new Check<V[number]>((v) => values.includes(v as string), opts.error);
}
export { enumOf as enum };

/** An object with these fields (each checked; unknown keys dropped). */
export function object<S extends Shape>(shape: S, opts?: { error: string }): Schema<ObjectOut<S>> {
  return new ObjectSchema(shape, opts?.error ?? "must be an element with child elements");
}

/** A list whose every item is `element`. */
export function array<T>(element: Schema<T>, opts?: { error: string }): Schema<T[]> {
  return new ArraySchema(element, opts?.error ?? "must be a list");
}

/** `fn` maps the raw value before `schema` checks it (so that a blank text can become "missing"). */
export function preprocess<T>(fn: (v: unknown) => unknown, schema: Schema<T>): Schema<T> {
  return new Wrap<T, T>(schema, (v, path, issues) => schema.run(fn(v), path, issues));
}
