import assert from "node:assert/strict";
import { collect, LIST_FILE, type PackageEntry, problems, render, splitKey } from "./licenses.ts";

Deno.test("THIRD_PARTY_LICENSES.md is up to date and every npm package's licence is allowed", async () => {
  const entries = await collect();
  assert.ok(entries.length > 0, "deno.lock lists npm packages");
  assert.deepEqual(problems(entries), []);
  const committed = await Deno.readTextFile(LIST_FILE);
  assert.ok(
    committed === render(entries),
    "THIRD_PARTY_LICENSES.md is stale: run `deno task licenses` and commit it",
  );
  // What main.ts imports is marked as embedded, with its licence text.
  for (const name of ["hono"]) {
    const e = entries.find((x) => x.name === name);
    assert.ok(e?.inProgram && e.text, `${name} is embedded with its licence text`);
  }
});

Deno.test("problems: a GPL or an unreviewed MPL dependency fails the list", () => {
  const entry = (name: string, license: string): PackageEntry => ({
    name,
    version: "1.0.0",
    license,
    inProgram: true,
  });
  assert.deepEqual(problems([entry("ok", "MIT"), entry("mediabunny", "MPL-2.0")]), []);
  const bad = problems([entry("copyleft", "GPL-3.0-only"), entry("newmpl", "MPL-2.0"), entry("none", "")]);
  assert.equal(bad.length, 3);
  assert.match(bad[0], /^copyleft@1\.0\.0: .*never allowed/);
  assert.match(bad[1], /^newmpl@1\.0\.0: .*reviewed packages/);
  assert.match(bad[2], /^none@1\.0\.0: none declares no licence/);
});

Deno.test("splitKey: scoped names and peer suffixes of deno.lock keys", () => {
  assert.deepEqual(splitKey("hono@4.13.19"), ["hono", "4.13.19"]);
  assert.deepEqual(splitKey("@peculiar/asn1-cms@2.11.1"), ["@peculiar/asn1-cms", "2.11.1"]);
  assert.deepEqual(splitKey("react-dom@18.2.0_react@18.2.0"), ["react-dom", "18.2.0"]);
});
