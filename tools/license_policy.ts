/**
 * Which licences the program may embed. Permissive licences are allowed; MPL-2.0 (file-level
 * copyleft, fine for an unmodified dependency) only for packages reviewed and listed here; GPL,
 * LGPL and AGPL never (they would bind the whole executable). An SPDX expression is judged as
 * written: `A OR B` is allowed when either side is, `A AND B` when both are.
 */

export const ALLOWED = new Set([
  "MIT",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "Apache-2.0",
  "ISC",
  "0BSD",
  "BlueOak-1.0.0",
  "Unlicense",
  "CC0-1.0",
]);

/** Packages whose MPL-2.0 licence was reviewed: mediabunny (through werift) is used unmodified. */
export const KNOWN_MPL = new Set(["mediabunny"]);

export type Verdict = { ok: true } | { ok: false; why: string };

/** Splits at a top-level operator (outside parentheses), or returns undefined. */
function splitAt(expr: string, op: "OR" | "AND"): string[] | undefined {
  const parts: string[] = [];
  let depth = 0, start = 0;
  const words = expr.split(/(\s+|\(|\))/);
  let pos = 0;
  for (const w of words) {
    if (w === "(") depth++;
    else if (w === ")") depth--;
    else if (depth === 0 && w === op) {
      parts.push(expr.slice(start, pos).trim());
      start = pos + w.length;
    }
    pos += w.length;
  }
  if (parts.length === 0) return undefined;
  parts.push(expr.slice(start).trim());
  return parts;
}

function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith("(") && e.endsWith(")")) {
    // Only when the parentheses enclose the whole expression.
    let depth = 0, whole = true;
    for (let i = 0; i < e.length - 1; i++) {
      if (e[i] === "(") depth++;
      else if (e[i] === ")") depth--;
      if (depth === 0) {
        whole = false;
        break;
      }
    }
    if (!whole) break;
    e = e.slice(1, -1).trim();
  }
  return e;
}

/** Whether package `name` may be embedded under the licence `license` (an SPDX expression). */
export function judge(name: string, license: string): Verdict {
  const e = unwrap(license);
  if (e === "") return { ok: false, why: `${name} declares no licence` };
  const ors = splitAt(e, "OR");
  if (ors) {
    const vs = ors.map((p) => judge(name, p));
    return vs.find((v) => v.ok) ?? { ok: false, why: `${name}: no allowed choice in "${license}"` };
  }
  const ands = splitAt(e, "AND");
  if (ands) return ands.map((p) => judge(name, p)).find((v) => !v.ok) ?? { ok: true };
  const id = e.replace(/\+$/, "").replace(/ WITH .*$/, "");
  if (/^(A|L)?GPL/i.test(id)) {
    return {
      ok: false,
      why: `${name} is ${license}: GPL, LGPL and AGPL are never allowed in the executable`,
    };
  }
  if (ALLOWED.has(id)) return { ok: true };
  if (id === "MPL-2.0") {
    return KNOWN_MPL.has(name) ? { ok: true } : {
      ok: false,
      why: `${name} is MPL-2.0: allowed only for reviewed packages (${[...KNOWN_MPL].join(", ")})`,
    };
  }
  return {
    ok: false,
    why: `${name} is "${license}": allowed are ${[...ALLOWED].join(", ")} (MPL-2.0 for reviewed packages)`,
  };
}

/** The licence a package.json declares: `license` (SPDX), or the old `licenses: [{ type }]` form. */
export function declaredLicense(pkg: { license?: unknown; licenses?: unknown }): string {
  if (typeof pkg.license === "string") return pkg.license.trim();
  if (pkg.license && typeof pkg.license === "object" && "type" in pkg.license) {
    return String((pkg.license as { type: unknown }).type);
  }
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map((l) => (l && typeof l === "object" && "type" in l ? String(l.type) : ""));
    return types.filter(Boolean).join(" OR ");
  }
  return "";
}
