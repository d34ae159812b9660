import assert from "node:assert/strict";
import * as z from "./_validate.ts";

const isInt = (v: unknown) => Number.isSafeInteger(v);

Deno.test("_validate: objects check every field, report every failure with its path, drop unknown keys", () => {
  const s = z.object({
    a: z.custom<number>(isInt, { error: "must be an integer" }),
    b: z.object({ c: z.enum(["x", "y"], { error: "must be x or y" }) }),
  });
  assert.deepEqual(s.parse({ a: 1, b: { c: "y" }, extra: true }), { a: 1, b: { c: "y" } });
  const r = s.safeParse({ a: "1", b: { c: "z" } });
  assert.equal(r.success, false);
  if (r.success) return;
  assert.deepEqual(r.error.issues, [
    { code: "custom", path: ["a"], input: "1", message: "must be an integer" },
    { code: "custom", path: ["b", "c"], input: "z", message: "must be x or y" },
  ]);
  assert.throws(() => s.parse([]), /must be an element with child elements/);
  assert.throws(() => s.parse(null), /must be an element with child elements/);
});

Deno.test("_validate: default answers a copy for a missing value, unchecked; a given value is checked", () => {
  const list = z.array(z.custom<number>(isInt, { error: "must be an integer" })).default([]);
  const a = list.parse(undefined), b = list.parse(undefined);
  assert.deepEqual(a, []);
  assert.notEqual(a, b);
  assert.deepEqual(list.parse([1, 2]), [1, 2]);
  const r = list.safeParse([1, "x"]);
  assert.ok(!r.success && r.error.issues[0].path.join(".") === "1");
  assert.throws(
    () => z.array(z.custom(isInt, { error: "e" }), { error: "must be a list of <a>" }).parse("a"),
    {
      message: /must be a list of <a>/,
    },
  );
  // The default is not checked (as a schema library's default is not).
  assert.equal(z.custom<number>(isInt, { error: "e" }).default(1.5).parse(undefined), 1.5);
});

Deno.test("_validate: preprocess maps first; refine and transform run only on a valid value", () => {
  let transformed = 0;
  const num = z.preprocess(
    (v) => typeof v === "string" ? Number(v) : v,
    z.custom<number>(isInt, { error: "must be an integer" }).default(7),
  ).refine((n) => n !== 13, { error: "must not be 13" });
  const s = z.object({ n: num, m: num }).transform((o, ctx) => {
    transformed++;
    if (o.n > o.m) ctx.addIssue({ code: "custom", path: ["n"], input: o.n, message: "must be <= m" });
    return { sum: o.n + o.m };
  });
  assert.deepEqual(s.parse({ n: "2" }), { sum: 9 });
  assert.equal(transformed, 1);
  const bad = s.safeParse({ n: "x", m: "13" });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues.map((i) => [i.path.join("."), i.message]), [
    ["n", "must be an integer"],
    ["m", "must not be 13"],
  ]);
  assert.equal(transformed, 1, "no transform of a half-valid object");
  const cross = s.safeParse({ n: 9, m: 8 });
  assert.ok(!cross.success);
  assert.deepEqual(cross.error.issues, [{ code: "custom", path: ["n"], input: 9, message: "must be <= m" }]);
});

Deno.test("_validate: spec is the element tree through defaults, preprocess and transforms", () => {
  const leaf = z.custom((v) => typeof v === "string", { error: "must be text" });
  const s = z.preprocess(
    (v) => v ?? {},
    z.object({ a: leaf.default(""), list: z.array(z.object({ b: leaf })).default([]) }),
  ).transform((o) => o);
  assert.deepEqual(s.spec(), {
    kind: "object",
    fields: {
      a: { kind: "leaf" },
      list: { kind: "array", element: { kind: "object", fields: { b: { kind: "leaf" } } } },
    },
  });
});
