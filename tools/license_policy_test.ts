import assert from "node:assert/strict";
import { declaredLicense, judge } from "./license_policy.ts";

Deno.test("judge: permissive allowed, MPL only when reviewed, GPL family never, SPDX OR/AND", () => {
  const cases: [string, string, boolean, RegExp?][] = [
    ["hono", "MIT", true],
    ["asn1js", "BSD-3-Clause", true],
    ["x", "BSD-2-Clause", true],
    ["playwright-core", "Apache-2.0", true],
    ["x", "ISC", true],
    ["tslib", "0BSD", true],
    ["x", "BlueOak-1.0.0", true],
    ["tweetnacl", "Unlicense", true],
    ["x", "CC0-1.0", true],
    ["mediabunny", "MPL-2.0", true],
    ["other", "MPL-2.0", false, /other is MPL-2.0: allowed only for reviewed packages \(mediabunny\)/],
    ["x", "GPL-3.0-only", false, /GPL, LGPL and AGPL are never allowed/],
    ["x", "GPL-2.0+", false, /never allowed/],
    ["x", "LGPL-2.1-or-later", false, /never allowed/],
    ["x", "AGPL-3.0", false, /never allowed/],
    ["x", "(MIT OR Apache-2.0)", true],
    ["x", "MIT OR GPL-3.0", true],
    ["x", "(GPL-2.0 OR LGPL-3.0)", false, /no allowed choice/],
    ["x", "MIT AND ISC", true],
    ["x", "MIT AND GPL-3.0", false, /never allowed/],
    ["x", "(MIT AND Zlib) OR Apache-2.0", true],
    ["x", "SEE LICENSE IN LICENSE.txt", false, /"SEE LICENSE IN LICENSE.txt": allowed are MIT/],
    ["x", "UNLICENSED", false],
    ["x", "", false, /declares no licence/],
  ];
  for (const [name, license, ok, why] of cases) {
    const v = judge(name, license);
    assert.equal(v.ok, ok, `${name} ${license}`);
    if (!v.ok && why) assert.match(v.why, why);
  }
});

Deno.test("declaredLicense: the SPDX field, the object form and the old licenses array", () => {
  assert.equal(declaredLicense({ license: " MIT " }), "MIT");
  assert.equal(declaredLicense({ license: { type: "ISC" } }), "ISC");
  assert.equal(declaredLicense({ licenses: [{ type: "MIT" }, { type: "Apache-2.0" }] }), "MIT OR Apache-2.0");
  assert.equal(declaredLicense({}), "");
});
